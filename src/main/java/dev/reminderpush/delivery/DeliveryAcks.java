package dev.reminderpush.delivery;

import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.observability.ReminderMetrics;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.dispatch.HeldClaims;
import dev.reminderpush.store.DispatchStore;
import dev.reminderpush.store.FleetClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Acknowledges delivered reminders to Redis in batches: the delivery route calls {@link #process} once the
 * message center accepted a message (on the Kafka callback thread, which must not wait on Redis), and a
 * single thread runs ack.lua every few milliseconds per shard. If the instance dies before that, the
 * reminders' leases expire and they are delivered again, with the same messageId.
 */
@Component("deliveryAcks")
public class DeliveryAcks implements Processor, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryAcks.class);
    private static final int PER_CALL = 1000;

    private final DispatchStore store;
    private final DeliveryCircuit circuit;
    private final ReminderMetrics metrics;
    private final FleetClock clock;
    private final HeldClaims held;
    /** Delivered messages not yet acknowledged in Redis, whole: one ack.lua call never cuts a message apart. */
    private final ConcurrentLinkedQueue<List<ClaimedReminder>> pending = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger pendingReminders = new java.util.concurrent.atomic.AtomicInteger();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "reminder-acks");
        thread.setDaemon(true);
        return thread;
    });
    private long lastWarning;

    public DeliveryAcks(DispatchStore store, DeliveryCircuit circuit, ReminderMetrics metrics, FleetClock clock, HeldClaims held) {
        this.store = store;
        this.circuit = circuit;
        this.metrics = metrics;
        this.clock = clock;
        this.held = held;
        flusher.scheduleWithFixedDelay(this::flushQuietly, 10, 10, TimeUnit.MILLISECONDS);
    }

    /** The delivery route's last step: the message center accepted this exchange's message. */
    @Override
    public void process(Exchange exchange) {
        delivered(exchange.getProperty(DeliveryGateway.MESSAGE, OutboundMessage.class));
        exchange.setProperty(DeliveryGateway.ACKNOWLEDGED, true); // its claims stay held (renewed) until the ack is written
    }

    public void delivered(OutboundMessage message) {
        circuit.recordSuccess();
        pending.add(message.reminders());
        pendingReminders.addAndGet(message.reminders().size());
        long now = clock.millis(); // Redis time, the clock of the due times
        metrics.delivered(message.channel(), message.reminders().size());
        if (LOG.isDebugEnabled()) {
            LOG.debug("Delivered message {} for user {} over {}: {}", message.messageId(), message.userId(), message.channel(),
                    message.reminders().stream().map(r -> r.id() + "#" + r.revision()).toList());
        }
        for (ClaimedReminder reminder : message.reminders()) {
            metrics.lateness(now - reminder.dueMillis());
        }
    }

    public int pending() {
        return pendingReminders.get();
    }

    /**
     * Acknowledges everything pending now; what Redis refuses stays pending. A message is acknowledged in one
     * ack.lua call with all its reminders: should the instance die between two calls, no message is left half
     * acknowledged (its rest would come back alone, under another messageId).
     */
    public synchronized void flush() {
        Map<Integer, List<List<ClaimedReminder>>> byShard = new TreeMap<>();
        for (List<ClaimedReminder> message; (message = pending.poll()) != null; ) {
            pendingReminders.addAndGet(-message.size());
            byShard.computeIfAbsent(message.get(0).shard(), s -> new ArrayList<>()).add(message); // one user, one shard
        }
        RuntimeException failure = null;
        for (Map.Entry<Integer, List<List<ClaimedReminder>>> shard : byShard.entrySet()) {
            List<List<ClaimedReminder>> messages = shard.getValue();
            int from = 0;
            while (from < messages.size()) {
                List<ClaimedReminder> slice = new ArrayList<>();
                int to = from;
                while (to < messages.size() && (slice.isEmpty() || slice.size() + messages.get(to).size() <= PER_CALL)) {
                    slice.addAll(messages.get(to++));
                }
                try {
                    store.ack(shard.getKey(), slice);
                    held.forget(slice);
                    from = to;
                } catch (RuntimeException e) { // this shard's Redis node is away: the others are still acknowledged
                    failure = e;
                    for (List<ClaimedReminder> message : messages.subList(from, messages.size())) {
                        pending.add(message);
                        pendingReminders.addAndGet(message.size());
                    }
                    break;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            long now = System.currentTimeMillis();
            if (now - lastWarning > 5_000) {
                lastWarning = now;
                LOG.warn("Acknowledging {} delivered reminders failed, retrying: {}", pending(), e.getMessage());
            }
        }
    }

    @Override
    public void destroy() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
            flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("{} delivered reminders could not be acknowledged before shutdown; they will be delivered again "
                    + "after their lease: {}", pending(), e.getMessage());
        }
    }
}
