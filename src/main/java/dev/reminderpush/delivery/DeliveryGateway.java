package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.HeldClaims;
import dev.reminderpush.dispatch.OutboundMessage;
import java.time.Duration;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Renders messages and hands them to the delivery route ({@code direct:deliver}) without waiting for them
 * (body = the message JSON, header {@code kafka.KEY} = user id). The route runs on
 * one of {@code reminders.delivery.threads} threads (default: one per core) up to the asynchronous Kafka send (or the HTTP thread
 * pool), and retries wait on Camel's scheduler, so the poller goes on claiming. (The poller itself must not
 * start the route: it runs inside the poll route's exchange, where Camel would queue the deliveries until
 * the tick ends.) Counts the reminders in flight so the poller never claims more than
 * {@code reminders.dispatch.max-in-flight}.
 */
@Component
public class DeliveryGateway {

    /** Exchange properties the delivery route reads. */
    public static final String MESSAGE = "reminderMessage";
    public static final String CHANNEL = "reminderChannel";
    public static final String MESSAGE_ID = "reminderMessageId";
    /** Set by {@link DeliveryAcks} once the message center accepted the message. */
    public static final String ACKNOWLEDGED = "reminderAcknowledged";
    /** Counted by {@link DeliveryCircuit} on every failed attempt (HTTP responses drop Camel's own counter header). */
    public static final String FAILED_ATTEMPTS = "reminderFailedAttempts";

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryGateway.class);

    private final CamelContext camel;
    private final MessageCodec codec;
    private final int maxInFlight;
    private final int maxRemindersPerMessage;
    private final long maxMessageBytes;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService threads;
    private final HeldClaims held;
    private volatile AsyncProducer producer;

    public DeliveryGateway(CamelContext camel, MessageCodec codec, ReminderProperties properties, HeldClaims held) {
        this.camel = camel;
        this.codec = codec;
        this.held = held;
        this.maxInFlight = properties.dispatch().maxInFlight();
        this.maxRemindersPerMessage = properties.delivery().maxRemindersPerMessage();
        this.maxMessageBytes = properties.delivery().maxMessageBytes().toBytes();
        AtomicInteger number = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(properties.delivery().deliveryThreads(), r -> {
            Thread thread = new Thread(r, "delivery-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** How many more reminders may be claimed now. */
    public int room() {
        return maxInFlight - inFlight.get();
    }

    /**
     * Backpressure for the poller: waits (at most until {@code deadline}, epoch millis) until at least
     * {@code wanted} reminders fit, and returns the room there is then.
     */
    public int awaitRoom(int wanted, long deadline) {
        int room = room();
        while (room < wanted && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            room = room();
        }
        return room;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void send(OutboundMessage pending) {
        int reminders = pending.reminders().size();
        inFlight.addAndGet(reminders);
        try {
            threads.execute(() -> {
                int started = 0;
                try {
                    for (OutboundMessage part : pending.split(maxRemindersPerMessage, maxMessageBytes)) {
                        started += part.reminders().size();
                        deliver(part.withId());
                    }
                } catch (RuntimeException | Error e) {
                    // not delivered and not dead-lettered: no longer renewed, so the lease brings them back
                    LOG.error("Message for user {} could not be handed to the delivery route; the lease will redeliver it",
                            pending.userId(), e);
                    inFlight.addAndGet(-(reminders - started));
                    held.forget(pending.reminders());
                }
            });
        } catch (RejectedExecutionException e) { // shutting down: the lease will bring the message back
            inFlight.addAndGet(-reminders);
            held.forget(pending.reminders());
        }
    }

    private void deliver(OutboundMessage message) {
        if (!held.holdsAny(message.reminders())) { // given back (graceful stop) or lost while it waited in the queue
            inFlight.addAndGet(-message.reminders().size());
            return;
        }
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(MESSAGE, message);
        exchange.setProperty(CHANNEL, message.channel());
        exchange.setProperty(MESSAGE_ID, message.messageId());
        exchange.getMessage().setHeader(KafkaConstants.KEY, message.userId());
        try {
            exchange.getMessage().setBody(codec.render(message));
            producer().process(exchange, doneSync -> done(message, exchange));
        } catch (RuntimeException e) {
            exchange.setException(e);
            done(message, exchange);
        }
    }

    /**
     * The delivery route is done with a message. Unless the message center accepted it (the ack step marked
     * the exchange), its claims are no longer renewed, so the lease brings the reminders back: dead-lettered
     * ones are gone from Redis already, and a message that ended any other way (a failed dead-letter write,
     * a failure outside the retry policy, a stopped route) cannot be stranded by a renewal that never ends.
     */
    private void done(OutboundMessage message, Exchange exchange) {
        inFlight.addAndGet(-message.reminders().size());
        if (!exchange.getProperty(ACKNOWLEDGED, false, Boolean.class)) {
            held.forget(message.reminders());
        }
        if (exchange.getException() != null) {
            LOG.warn("Message {} for user {} failed outside the retry policy; the lease will redeliver it: {}",
                    message.messageId(), message.userId(), exchange.getException().getMessage());
        }
    }

    @PreDestroy
    public void shutdown() {
        threads.shutdown();
    }

    /** Waits until nothing is in flight or the time is up (graceful shutdown). */
    public void awaitIdle(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private AsyncProducer producer() {
        AsyncProducer current = producer;
        if (current == null) {
            synchronized (this) {
                if (producer == null) {
                    try {
                        AsyncProducer created = camel.getEndpoint("direct:deliver").createAsyncProducer();
                        ServiceHelper.startService(created);
                        producer = created;
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot reach the delivery route direct:deliver", e);
                    }
                }
                current = producer;
            }
        }
        return current;
    }
}
