package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.HeldClaims;
import dev.reminderpush.dispatch.OutboundMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultMessage;
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
    /** Of a batch exchange: its messages, their records (the body) and what became of each (same order). */
    public static final String MESSAGES = "reminderMessages";
    public static final String RECORDS = "reminderRecords";
    public static final String OUTCOMES = "reminderOutcomes";
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
    private final String batchChannel = "kafka";
    private final Map<String, AsyncProducer> producers = new ConcurrentHashMap<>();

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

    /**
     * Hands messages (typically everything one claim released) to delivery without waiting: one task on the
     * delivery threads renders them; the Kafka channel's go out as one exchange ({@code direct:deliver-batch}),
     * the others one exchange per message ({@code direct:deliver}).
     */
    public void send(List<OutboundMessage> pending) {
        if (pending.isEmpty()) {
            return;
        }
        int reminders = 0;
        for (OutboundMessage message : pending) {
            reminders += message.reminders().size();
        }
        inFlight.addAndGet(reminders);
        try {
            threads.execute(() -> deliverAll(pending));
        } catch (RejectedExecutionException e) { // shutting down: the lease will bring the messages back
            inFlight.addAndGet(-reminders);
            pending.forEach(message -> held.forget(message.reminders()));
        }
    }

    public void send(OutboundMessage pending) {
        send(List.of(pending));
    }

    private void deliverAll(List<OutboundMessage> pending) {
        List<OutboundMessage> batch = new ArrayList<>(pending.size());
        for (OutboundMessage message : pending) {
            List<OutboundMessage> parts;
            try {
                parts = message.split(maxRemindersPerMessage, maxMessageBytes);
            } catch (RuntimeException | Error e) {
                giveUp(message, e);
                continue;
            }
            for (OutboundMessage part : parts) {
                part = part.withId();
                if (!held.holdsAny(part.reminders())) { // given back (graceful stop) or lost while it waited in the queue
                    inFlight.addAndGet(-part.reminders().size());
                } else if (batchChannel.equals(part.channel())) {
                    batch.add(part);
                } else {
                    deliver(part);
                }
            }
        }
        if (!batch.isEmpty()) {
            deliverBatch(batch);
        }
    }

    /** Not delivered and not dead-lettered: no longer renewed, so the lease brings the reminders back. */
    private void giveUp(OutboundMessage message, Throwable e) {
        LOG.error("Message for user {} could not be handed to the delivery route; the lease will redeliver it",
                message.userId(), e);
        inFlight.addAndGet(-message.reminders().size());
        held.forget(message.reminders());
    }

    /** Sends one message alone through {@code direct:deliver} (a record of a batch the broker did not take). */
    public void deliverAlone(OutboundMessage message) {
        deliver(message);
    }

    private void deliver(OutboundMessage message) {
        if (!held.holdsAny(message.reminders())) { // given back (graceful stop) or lost meanwhile
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
     * One exchange for many messages of the Kafka channel: the body is a list of Camel messages (one record
     * each: body the message JSON, header {@code kafka.KEY} the user id), property {@link #MESSAGES} the
     * messages in the same order. {@link BatchOutcomes} acknowledges the records the broker took and sends
     * the others alone, with the channel's retries.
     */
    private void deliverBatch(List<OutboundMessage> batch) {
        List<OutboundMessage> messages = new ArrayList<>(batch.size());
        List<Message> records = new ArrayList<>(batch.size());
        for (OutboundMessage message : batch) {
            try {
                Message record = new DefaultMessage(camel);
                record.setHeader(KafkaConstants.KEY, message.userId());
                record.setBody(codec.render(message));
                records.add(record);
                messages.add(message);
            } catch (RuntimeException e) {
                giveUp(message, e);
            }
        }
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(MESSAGES, messages);
        exchange.setProperty(RECORDS, records);
        exchange.setProperty(OUTCOMES, new BatchOutcomes.Outcome[messages.size()]);
        exchange.setProperty(CHANNEL, batchChannel);
        exchange.getMessage().setBody(records);
        try {
            batchProducer().process(exchange, doneSync -> batchDone(messages, exchange));
        } catch (RuntimeException e) {
            exchange.setException(e);
            batchDone(messages, exchange);
        }
    }

    /**
     * The batch route is done: acknowledged messages leave the in-flight count (their claims stay held until
     * the ack is written), messages sent on alone are counted by their own exchange, and any other (the
     * route failed before it sorted the outcomes) is given up to its lease.
     */
    private void batchDone(List<OutboundMessage> messages, Exchange exchange) {
        BatchOutcomes.Outcome[] outcomes = exchange.getProperty(OUTCOMES, BatchOutcomes.Outcome[].class);
        int unsorted = 0;
        for (int i = 0; i < messages.size(); i++) {
            BatchOutcomes.Outcome outcome = outcomes[i];
            if (outcome == BatchOutcomes.Outcome.ACKNOWLEDGED) {
                inFlight.addAndGet(-messages.get(i).reminders().size());
            } else if (outcome == null) {
                unsorted++;
                inFlight.addAndGet(-messages.get(i).reminders().size());
                held.forget(messages.get(i).reminders());
            }
        }
        if (unsorted > 0) {
            LOG.warn("{} messages of a batch ended without an outcome; their leases will redeliver them: {}", unsorted,
                    exchange.getException() == null ? "no outcome step ran" : exchange.getException().getMessage());
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
        return producers.computeIfAbsent("direct:deliver", this::startProducer);
    }

    private AsyncProducer batchProducer() {
        return producers.computeIfAbsent("direct:deliver-batch", this::startProducer);
    }

    private AsyncProducer startProducer(String uri) {
        try {
            AsyncProducer created = camel.getEndpoint(uri).createAsyncProducer();
            ServiceHelper.startService(created);
            return created;
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach the delivery route " + uri, e);
        }
    }
}
