package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.DispatchPass;
import dev.reminderpush.dispatch.HeldClaims;
import dev.reminderpush.dispatch.OutboundMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The delivery side of the hand-off (routes hand-off and deliver-messages in routes/delivery.camel.yaml): counts
 * the reminders in flight, so the poller never claims more than {@code reminders.dispatch.max-in-flight}; on
 * one of the {@code deliveryPool} threads (camel.threadpool.config, default: one per core) splits and renders messages, sends
 * the Kafka channel's as one batch exchange and the others one exchange each ({@code direct:deliver}), and
 * settles what each exchange did. The poller never waits for a delivery: sends are asynchronous and retries wait
 * on Camel's scheduler.
 */
@Component
public class DeliveryGateway {

    /** Exchange properties the delivery route reads. */
    public static final String MESSAGE = "reminderMessage";
    public static final String CHANNEL = "reminderChannel";
    public static final String MESSAGE_ID = "reminderMessageId";
    /** Set by {@link DeliveryAcks} once the message center accepted the message. */
    public static final String ACKNOWLEDGED = "reminderAcknowledged";
    /** Set by step split-to-fit: the exchange of route deliver-messages took its messages. */
    private static final String TAKEN = "reminderMessagesTaken";
    /** Most characters of one HTTP batch call's body (besides batch-max-messages). */
    private static final int HTTP_BATCH_MAX_CHARS = 8 * 1024 * 1024;
    /** Of a batch exchange: its {@link DeliveryBatch} (messages, records, outcomes). */
    static final String BATCH = "reminderBatch";
    /** How much longer than the Kafka delivery timeout a batch exchange may take before the watchdog steps in. */
    private static final long BATCH_MARGIN_MILLIS = 5_000;
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
    private final ScheduledThreadPoolExecutor watchdog;
    private final long batchPatienceMillis;
    private final HeldClaims held;
    private final DeliveryAcks acks;
    private final String batchChannel = "kafka";
    private static final String HTTP = "http";
    /** The websocket channel's messages of one hand-off go into the users' inboxes together (route deliver-websocket-batch). */
    static final String WEBSOCKET = "websocket";
    private static final int INBOX_BATCH_MAX_MESSAGES = 1_000;
    private final Map<String, AsyncProducer> producers = new ConcurrentHashMap<>();
    private final boolean httpBatching;
    private final boolean inboxBatching;
    private final int httpBatchMaxMessages;

    public DeliveryGateway(CamelContext camel, MessageCodec codec, ReminderProperties properties, HeldClaims held,
            DeliveryAcks acks, CamelThreadPools pools) {
        this.camel = camel;
        this.acks = acks;
        this.codec = codec;
        this.held = held;
        this.maxInFlight = properties.dispatch().maxInFlight();
        this.maxRemindersPerMessage = properties.delivery().maxRemindersPerMessage();
        this.maxMessageBytes = properties.delivery().maxMessageBytes().toBytes();
        this.httpBatching = properties.delivery().http().batching();
        // a websocket reminder stored before the channel left the list goes through deliver (a dead letter there)
        this.inboxBatching = properties.delivery().channels().contains(WEBSOCKET);
        this.httpBatchMaxMessages = properties.delivery().http().batchMaxMessages();
        // Camel's own pool (shut down with the context, seen in JMX), runs route deliver-messages; not a
        // Spring bean: an Executor bean would replace Spring Boot's application task executor
        this.threads = pools.create(this, "delivery", "deliveryPool");
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "delivery-batch-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog.setRemoveOnCancelPolicy(true);
        this.batchPatienceMillis = properties.delivery().kafka().timeout().toMillis() + BATCH_MARGIN_MILLIS;
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

    /** Filter when-messages-are-ready of route hand-off. */
    public boolean anyMessages(@Body List<OutboundMessage> messages) {
        return messages != null && !messages.isEmpty();
    }

    /**
     * Step count-in-flight of route hand-off, on the dispatching thread: the messages a claim (or a settle) made
     * ready are in flight from now on, so the next claim sees less room.
     */
    public void accept(@Body List<OutboundMessage> messages) {
        inFlight.addAndGet(reminders(messages));
    }

    /**
     * Step to-delivery-threads of route hand-off: runs route deliver-messages for these messages on a delivery
     * thread and returns at once. Whatever way that exchange ends, messages step split-to-fit never took (the
     * threads refused them, the route is stopped or missing, it failed before its first step) are given up to
     * their leases: never counted in flight and renewed without being sent.
     */
    public void submit(@Body List<OutboundMessage> messages, @ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass) {
        try {
            threads.execute(() -> deliverMessages(messages));
        } catch (RuntimeException e) { // stopping
            notHandedOff(messages);
        }
        if (pass != null) {
            pass.handedOff();
        }
    }

    private void deliverMessages(List<OutboundMessage> messages) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(messages);
        try {
            producers.computeIfAbsent("direct:deliver-messages", this::startProducer).process(exchange, doneSync -> {
                if (!exchange.getProperty(TAKEN, false, Boolean.class)) {
                    notTaken(messages, exchange.getException());
                }
            });
        } catch (RuntimeException e) {
            if (!exchange.getProperty(TAKEN, false, Boolean.class)) {
                notTaken(messages, e);
            }
        }
    }

    private void notTaken(List<OutboundMessage> messages, Exception failure) {
        LOG.error("{} messages did not reach route deliver-messages; their leases bring them back: {}", messages.size(),
                failure == null ? "the route ended before its first step" : failure.getMessage());
        notHandedOff(messages);
    }

    /** Counted in flight but never delivered: no longer counted nor renewed, so their leases bring them back. */
    private void notHandedOff(@Body List<OutboundMessage> messages) {
        inFlight.addAndGet(-reminders(messages));
        messages.forEach(message -> held.forget(message.reminders()));
    }

    private static int reminders(List<OutboundMessage> messages) {
        int reminders = 0;
        for (OutboundMessage message : messages) {
            reminders += message.reminders().size();
        }
        return reminders;
    }

    /**
     * Step split-to-fit of route deliver-messages, on a delivery thread: splits messages to
     * {@code max-message-bytes} and {@code max-reminders-per-message}, gives each its messageId and drops those
     * given back meanwhile. Messages of other channels than Kafka go one exchange each through
     * {@code direct:deliver}. The Kafka ones become the body: the rendered message JSON of each, one record each
     * (key the user id: {@link KafkaBatchSender}), with property {@link #BATCH}; null when there are none. The
     * batch is settled by {@link #batchDone} or, should the exchange never end, by a watchdog.
     */
    public List<String> prepare(@Body List<OutboundMessage> pending, Exchange exchange) {
        exchange.setProperty(TAKEN, true); // from here on every message ends delivered, sent alone or given up
        List<OutboundMessage> messages = new ArrayList<>(pending.size());
        List<String> records = new ArrayList<>(pending.size());
        List<OutboundMessage> httpBatch = new ArrayList<>();
        List<OutboundMessage> inboxBatch = new ArrayList<>();
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
                } else if (httpBatching && HTTP.equals(part.channel())) {
                    httpBatch.add(part);
                } else if (inboxBatching && WEBSOCKET.equals(part.channel())) {
                    inboxBatch.add(part);
                } else if (!batchChannel.equals(part.channel())) {
                    deliver(part);
                } else {
                    try {
                        records.add(codec.render(part));
                        messages.add(part);
                    } catch (RuntimeException e) {
                        giveUp(part, e);
                    }
                }
            }
        }
        for (int from = 0; from < inboxBatch.size(); from += INBOX_BATCH_MAX_MESSAGES) {
            deliverInboxBatch(inboxBatch.subList(from, Math.min(inboxBatch.size(), from + INBOX_BATCH_MAX_MESSAGES)));
        }
        for (int from = 0; from < httpBatch.size(); from += httpBatchMaxMessages) {
            deliverHttpBatch(httpBatch.subList(from, Math.min(httpBatch.size(), from + httpBatchMaxMessages)));
        }
        if (messages.isEmpty()) {
            return null;
        }
        DeliveryBatch batch = new DeliveryBatch(messages, records);
        try {
            batch.watch = watchdog.schedule(() -> giveUpWaiting(batch), batchPatienceMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) { // stopping
            messages.forEach(message -> giveUp(message, e));
            return null;
        }
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(CHANNEL, batchChannel);
        return records;
    }

    /**
     * HTTP messages with a batch URL: one exchange ({@code direct:deliver-http-batch}), body
     * {@code {"messages":[...]}}, property {@link #BATCH}. {@link HttpBatchOutcomes} acknowledges those the center
     * listed as accepted and sends the others alone; the batch settles when the exchange ends.
     */
    private void deliverHttpBatch(List<OutboundMessage> pending) {
        StringBuilder body = new StringBuilder();
        List<OutboundMessage> messages = new ArrayList<>();
        for (OutboundMessage message : pending) {
            String json;
            try {
                json = codec.render(message);
            } catch (RuntimeException e) {
                giveUp(message, e);
                continue;
            }
            if (!messages.isEmpty() && body.length() + json.length() > HTTP_BATCH_MAX_CHARS) {
                postHttpBatch(messages, body);
                body = new StringBuilder();
                messages = new ArrayList<>();
            }
            body.append(messages.isEmpty() ? "{\"messages\":[" : ",").append(json);
            messages.add(message);
        }
        if (!messages.isEmpty()) {
            postHttpBatch(messages, body);
        }
    }

    /**
     * Websocket channel messages: one exchange ({@code direct:deliver-websocket-batch}), body unused, property
     * {@link #BATCH} with the rendered JSON of each; {@link InboxBatchSender} appends them with one script call per
     * shard and {@link BatchOutcomes} acknowledges what went in and sends the rest alone.
     */
    private void deliverInboxBatch(List<OutboundMessage> pending) {
        List<OutboundMessage> messages = new ArrayList<>(pending.size());
        List<String> rendered = new ArrayList<>(pending.size());
        for (OutboundMessage message : pending) {
            try {
                rendered.add(codec.render(message));
                messages.add(message);
            } catch (RuntimeException e) {
                giveUp(message, e);
            }
        }
        if (messages.isEmpty()) {
            return;
        }
        DeliveryBatch batch = new DeliveryBatch(messages, rendered);
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(CHANNEL, WEBSOCKET);
        try {
            producers.computeIfAbsent("direct:deliver-websocket-batch", this::startProducer)
                    .process(exchange, doneSync -> settle(batch, exchange.getException()));
        } catch (RuntimeException e) {
            settle(batch, e);
        }
    }

    private void postHttpBatch(List<OutboundMessage> messages, StringBuilder body) {
        DeliveryBatch batch = new DeliveryBatch(messages, null);
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(BATCH, batch);
        exchange.setProperty(CHANNEL, HTTP);
        exchange.getMessage().setBody(body.append("]}").toString());
        try {
            producers.computeIfAbsent("direct:deliver-http-batch", this::startProducer)
                    .process(exchange, doneSync -> settle(batch, exchange.getException()));
        } catch (RuntimeException e) {
            settle(batch, e);
        }
    }

    /** Step settle-batch of route deliver-messages: the batch exchange ended (whatever way). */
    public void batchDone(Exchange exchange) {
        DeliveryBatch batch = exchange.getProperty(BATCH, DeliveryBatch.class);
        batch.watch.cancel(false);
        Exception failure = exchange.getException(); // inside doFinally, Camel keeps it as the caught exception
        settle(batch, failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
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
     * The batch exchange did not finish within the Kafka delivery timeout and a margin (camel-kafka can lose the
     * count of a batch's callbacks): unless its outcomes were sorted, the records the broker took are acknowledged
     * and the others sent alone; then the batch is settled, so nothing stays in flight.
     */
    private void giveUpWaiting(DeliveryBatch batch) {
        LOG.warn("A batch of {} Kafka records did not finish within {} ms; sorting its outcomes without it",
                batch.messages.size(), batchPatienceMillis);
        try {
            batch.sort(batch::brokerTook, acks::delivered, this::sendAlone);
        } catch (RuntimeException e) {
            LOG.debug("Could not send them alone (stopping); their leases will: {}", e.getMessage());
        }
        settle(batch, null);
    }

    /**
     * The batch is done (once; later calls do nothing): acknowledged messages leave the in-flight count (their
     * claims stay held until the ack is written), messages sent on alone are counted by their own exchange, and
     * any other (the route failed before it sorted the outcomes) is given up to its lease.
     */
    private void settle(DeliveryBatch batch, Exception failure) {
        DeliveryBatch.Outcome[] outcomes = batch.settle();
        if (outcomes == null) {
            return;
        }
        int unsorted = 0;
        for (int i = 0; i < outcomes.length; i++) {
            OutboundMessage message = batch.messages.get(i);
            if (outcomes[i] == DeliveryBatch.Outcome.ACKNOWLEDGED) {
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
        camel.getExecutorServiceManager().shutdown(threads);
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
