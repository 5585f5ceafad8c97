package dev.reminderpush.delivery;

import dev.reminderpush.dispatch.OutboundMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One batch exchange of a channel (Kafka: records, the exchange body in the same order; HTTP with a batch URL:
 * one call): its messages and what became of each. Its outcomes are sorted once (by the route's outcome step, or by the watchdog when the exchange takes
 * too long) and the batch is settled once (when the exchange ends, or by the watchdog), always after sorting
 * has finished, so the in-flight count never sees a half-sorted batch.
 */
final class DeliveryBatch {

    enum Outcome { ACKNOWLEDGED, SENT_ALONE }

    final List<OutboundMessage> messages;
    final List<Message> records;
    private final Outcome[] outcomes;
    private boolean sorted;
    private boolean settled;
    /** The watchdog's timer, cancelled when the exchange ends. */
    volatile ScheduledFuture<?> watch;

    DeliveryBatch(List<OutboundMessage> messages, List<Message> records) {
        this.messages = messages;
        this.records = records;
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

    /** The broker acknowledged the record: camel-kafka put its metadata, with an offset, on the record's message. */
    boolean brokerTook(int position) {
        Message record = records.get(position);
        List<?> metadata = record.getHeader(KafkaConstants.KAFKA_RECORD_META, List.class);
        return metadata != null && !metadata.isEmpty() && metadata.get(0) instanceof RecordMetadata m && m.hasOffset();
    }
}
