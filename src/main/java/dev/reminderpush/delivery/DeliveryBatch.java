package dev.reminderpush.delivery;

import dev.reminderpush.dispatch.OutboundMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntPredicate;

/**
 * One batch exchange of a channel (Kafka: one record per message, its rendered JSON in {@link #values}; HTTP with
 * a batch URL: one call): its messages and what became of each. Its outcomes are sorted once (by the route's outcome step, or by the watchdog when the exchange takes
 * too long) and the batch is settled once (when the exchange ends, or by the watchdog), always after sorting
 * has finished, so the in-flight count never sees a half-sorted batch.
 */
final class DeliveryBatch {

    enum Outcome { ACKNOWLEDGED, SENT_ALONE }

    final List<OutboundMessage> messages;
    /** Kafka: the record values, by position (null for HTTP). */
    final List<String> values;
    /** Kafka: 1 where the broker acknowledged the record (written by the producer's callbacks). */
    private final AtomicIntegerArray taken;
    private final Outcome[] outcomes;
    private boolean sorted;
    private boolean settled;
    /** Kafka: set by {@link KafkaBatchSender} when it took the batch (a route without it cannot tell what was sent). */
    volatile boolean sender;
    /** The watchdog's timer, cancelled when the exchange ends. */
    volatile ScheduledFuture<?> watch;

    DeliveryBatch(List<OutboundMessage> messages, List<String> values) {
        this.messages = messages;
        this.values = values;
        this.taken = new AtomicIntegerArray(values == null ? 0 : values.size());
        this.outcomes = new Outcome[messages.size()];
    }

    /**
     * Unless sorted before: acknowledges the messages the channel took ({@code taken}, by position), then hands
     * the others, at once, to be sent alone. A message the channel took is never sent again.
     */
    synchronized void sort(IntPredicate taken, Consumer<OutboundMessage> acknowledge, Consumer<List<OutboundMessage>> sendAlone) {
        if (sorted) {
            return;
        }
        sorted = true;
        List<Integer> notTaken = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) { // acknowledgements first: none waits behind a resend
            if (taken.test(i)) {
                acknowledge.accept(messages.get(i));
                outcomes[i] = Outcome.ACKNOWLEDGED;
            } else {
                notTaken.add(i);
            }
        }
        sendAlone.accept(notTaken.stream().map(messages::get).toList());
        notTaken.forEach(i -> outcomes[i] = Outcome.SENT_ALONE);
    }

    /**
     * The first call returns the outcomes (null where none was reached: the message is given up to its lease);
     * later calls return null. Nothing sorts the batch after it was settled.
     */
    synchronized Outcome[] settle() {
        if (settled) {
            return null;
        }
        settled = true;
        sorted = true;
        return outcomes.clone();
    }

    /** The broker acknowledged the record at this position (with an offset). */
    void brokerAcknowledged(int position) {
        taken.set(position, 1);
    }

    boolean brokerTook(int position) {
        return taken.get(position) == 1;
    }
}
