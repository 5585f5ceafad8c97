package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.OutboundMessage;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Hands messages to the delivery route ({@code direct:deliver}) without waiting for them: the route runs
 * on the calling thread up to the (asynchronous) Kafka send or the HTTP thread pool, and retries wait on
 * Camel's scheduler, so the poller goes on claiming. Counts the reminders in flight so the poller never
 * claims more than {@code reminders.dispatch.max-in-flight}.
 */
@Component
public class DeliveryGateway {

    /** Exchange properties the delivery route reads. */
    public static final String MESSAGE = "reminderMessage";
    public static final String CHANNEL = "reminderChannel";
    public static final String USER_ID = "reminderUserId";
    public static final String MESSAGE_ID = "reminderMessageId";
    /** Counted by {@link DeliveryCircuit} on every failed attempt (HTTP responses drop Camel's own counter header). */
    public static final String FAILED_ATTEMPTS = "reminderFailedAttempts";

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryGateway.class);

    private final CamelContext camel;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile AsyncProducer producer;

    public DeliveryGateway(CamelContext camel, ReminderProperties properties) {
        this.camel = camel;
        this.maxInFlight = properties.dispatch().maxInFlight();
    }

    /** How many more reminders may be claimed now. */
    public int room() {
        return maxInFlight - inFlight.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void send(OutboundMessage message) {
        int reminders = message.reminders().size();
        inFlight.addAndGet(reminders);
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(MESSAGE, message);
        exchange.setProperty(CHANNEL, message.channel());
        exchange.setProperty(USER_ID, message.userId());
        exchange.setProperty(MESSAGE_ID, message.messageId());
        producer().process(exchange, doneSync -> {
            inFlight.addAndGet(-reminders);
            if (exchange.getException() != null) {
                // not delivered and not dead-lettered: the reminders stay in flight until their lease expires
                LOG.warn("Message {} for user {} failed outside the retry policy; the lease will redeliver it: {}",
                        message.messageId(), message.userId(), exchange.getException().getMessage());
            }
        });
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
