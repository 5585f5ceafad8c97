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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
    /** Of a batch exchange: its {@link KafkaBatch} (messages, records, outcomes). */
    static final String BATCH = "reminderBatch";
    /** How much longer than the Kafka delivery timeout a batch exchange may take before the watchdog steps in. */
    private static final long BATCH_MARGIN_MILLIS = 5_000;
    /** Counted by {@link DeliveryCircuit} on every failed attempt (HTTP responses drop Camel's own counter header). */
    public static final String FAILED_ATTEMPTS = "reminderFailedAttempts";

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryGateway.class);
    private static final String BATCH_ROUTE = "deliver-kafka-batch";

    private final CamelContext camel;
    private final MessageCodec codec;
    private final int maxInFlight;
    private final int maxRemindersPerMessage;
    private final long maxMessageBytes;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService threads;
    private final ScheduledThreadPoolExecutor watchdog;
    private final long batchPatienceMillis;
    private volatile boolean batchRoutePresent;
    private volatile boolean batchRouteReported;
    private final HeldClaims held;
    private final DeliveryAcks acks;
    private final String batchChannel = "kafka";
    private final Map<String, AsyncProducer> producers = new ConcurrentHashMap<>();

    public DeliveryGateway(CamelContext camel, MessageCodec codec, ReminderProperties properties, HeldClaims held,
            DeliveryAcks acks) {
        this.camel = camel;
        this.acks = acks;
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
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "delivery-batch-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog.setRemoveOnCancelPolicy(true);
        this.batchPatienceMillis = properties.delivery().kafka().timeoutMs() + BATCH_MARGIN_MILLIS;
    }

    /**
     * The Kafka channel's messages go out through route {@code deliver-kafka-batch}: while it is missing (an
     * operator's older copy of routes/) every claim would come back after its lease undelivered, so the
     * dispatcher claims nothing, and this says so once.
     */
    public boolean batchRouteMissing() {
        if (batchRoutePresent) {
            return false;
        }
        batchRoutePresent = camel.getRoute(BATCH_ROUTE) != null;
        if (!batchRoutePresent && !batchRouteReported) {
            batchRouteReported = true;
            LOG.error("The route {} is missing (routes/delivery.camel.yaml): Kafka messages could not be delivered, so "
                    + "this instance claims nothing. Copy routes/ from this release, or set reminders.dispatch.enabled=false",
                    BATCH_ROUTE);
        }
        return !batchRoutePresent;
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

    /**
     * Sends messages of a batch alone through {@code direct:deliver} (records the broker did not take), on the
     * delivery threads. They are in the in-flight count already (as part of the batch); each one's own exchange
     * takes it out. Throws when the threads refuse the work (shutting down): the batch then settles them.
     */
    public void sendAlone(List<OutboundMessage> messages) {
        if (!messages.isEmpty()) {
            threads.execute(() -> messages.forEach(this::deliver));
        }
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
     * each: body the message JSON, header {@code kafka.KEY} the user id), property {@link #BATCH} the
     * messages, records and outcomes. {@link BatchOutcomes} acknowledges the records the broker took and sends
     * the others alone, with the channel's retries.
     */
    private void deliverBatch(List<OutboundMessage> pending) {
        List<OutboundMessage> messages = new ArrayList<>(pending.size());
        List<Message> records = new ArrayList<>(pending.size());
        for (OutboundMessage message : pending) {
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
        KafkaBatch batch = new KafkaBatch(messages, records);
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(CHANNEL, batchChannel);
        exchange.getMessage().setBody(records);
        ScheduledFuture<?> watch = watchdog.schedule(() -> giveUpWaiting(batch), batchPatienceMillis, TimeUnit.MILLISECONDS);
        try {
            batchProducer().process(exchange, doneSync -> {
                watch.cancel(false);
                batchDone(batch, exchange.getException());
            });
        } catch (RuntimeException e) {
            watch.cancel(false);
            batchDone(batch, e);
        }
    }

    /**
     * The batch exchange did not finish within the Kafka delivery timeout and a margin (camel-kafka can lose the
     * count of a batch's callbacks): unless its outcomes were sorted, the records the broker took are acknowledged
     * and the others sent alone; then the batch is settled, so nothing stays in flight.
     */
    private void giveUpWaiting(KafkaBatch batch) {
        LOG.warn("A batch of {} Kafka records did not finish within {} ms; sorting its outcomes without it",
                batch.messages.size(), batchPatienceMillis);
        try {
            batch.sort(acks::delivered, this::sendAlone);
        } catch (RuntimeException e) {
            LOG.debug("Could not send them alone (stopping); their leases will: {}", e.getMessage());
        }
        batchDone(batch, null);
    }

    /**
     * The batch is done (once; later calls do nothing): acknowledged messages leave the in-flight count (their
     * claims stay held until the ack is written), messages sent on alone are counted by their own exchange, and
     * any other (the route failed before it sorted the outcomes) is given up to its lease.
     */
    private void batchDone(KafkaBatch batch, Exception failure) {
        KafkaBatch.Outcome[] outcomes = batch.settle();
        if (outcomes == null) {
            return;
        }
        int unsorted = 0;
        for (int i = 0; i < outcomes.length; i++) {
            OutboundMessage message = batch.messages.get(i);
            if (outcomes[i] == KafkaBatch.Outcome.ACKNOWLEDGED) {
                inFlight.addAndGet(-message.reminders().size());
            } else if (outcomes[i] == null) {
                unsorted++;
                inFlight.addAndGet(-message.reminders().size());
                held.forget(message.reminders());
            }
        }
        if (unsorted > 0) {
            LOG.warn("{} messages of a batch ended without an outcome; their leases will redeliver them: {}", unsorted,
                    failure == null ? "no outcome step ran" : failure.getMessage());
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
        watchdog.shutdownNow();
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
