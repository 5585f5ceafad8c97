package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import dev.reminderpush.dispatch.OutboundMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Stops burning retries while the message center is down: after {@code failure-threshold} failed delivery
 * attempts in a row (rejections that no retry can fix do not count), the poller claims nothing for
 * {@code cool-down}, then resumes by itself. Messages already in flight keep their retries.
 * Called by the delivery error handler on every failed attempt (it also counts the attempts of the
 * exchange, for the dead letter), and on every success.
 */
@Component("deliveryCircuit")
public class DeliveryCircuit implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryCircuit.class);

    private final int threshold;
    private final long coolDownMillis;
    private final Clock clock;
    private final DeliveryFailures failures;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong failedAttempts = new AtomicLong();
    private volatile long openUntil;

    public DeliveryCircuit(ReminderProperties properties, Clock clock, DeliveryFailures failures) {
        this.threshold = properties.delivery().circuit().failureThreshold();
        this.coolDownMillis = properties.delivery().circuit().coolDown().toMillis();
        this.clock = clock;
        this.failures = failures;
    }

    /** A delivery attempt failed (the error handler's onExceptionOccurred). */
    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(DeliveryGateway.FAILED_ATTEMPTS,
                exchange.getProperty(DeliveryGateway.FAILED_ATTEMPTS, 0, Integer.class) + 1);
        failedAttempts.incrementAndGet();
        logFailure(exchange);
        if (failures.isPermanent(exchange)) {
            return;
        }
        if (consecutiveFailures.incrementAndGet() >= threshold && openUntil == 0) {
            openUntil = clock.millis() + coolDownMillis;
            LOG.warn("{} delivery attempts failed in a row; claiming pauses for {} ms", threshold, coolDownMillis);
        }
    }

    private final AtomicLong windowStart = new AtomicLong();
    private final AtomicInteger loggedInWindow = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    /** One WARN line per failed attempt, with ids; beyond 50 a second the rest are counted and summarised. */
    private void logFailure(Exchange exchange) {
        long second = clock.millis() / 1000;
        if (windowStart.getAndSet(second) != second) {
            loggedInWindow.set(0);
            long skipped = suppressed.getAndSet(0);
            if (skipped > 0) {
                LOG.warn("... and {} more failed delivery attempts not logged one by one", skipped);
            }
        }
        if (loggedInWindow.incrementAndGet() > 50) {
            suppressed.incrementAndGet();
            return;
        }
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("Delivery attempt {} failed for message {} (user {}, channel {}): {}",
                exchange.getProperty(DeliveryGateway.FAILED_ATTEMPTS), exchange.getProperty(DeliveryGateway.MESSAGE_ID),
                exchange.getProperty(DeliveryGateway.MESSAGE, OutboundMessage.class).userId(),
                exchange.getProperty(DeliveryGateway.CHANNEL), failure == null ? "unknown" : failure.getMessage());
    }

    public void recordSuccess() {
        consecutiveFailures.set(0);
    }

    public boolean allowsClaiming() {
        long until = openUntil;
        if (until == 0) {
            return true;
        }
        if (clock.millis() < until) {
            return false;
        }
        openUntil = 0;
        consecutiveFailures.set(0);
        LOG.info("Cool-down over; claiming resumes");
        return true;
    }

    /** Failed delivery attempts since start, rejections included. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    public boolean isOpen() {
        return openUntil != 0 && clock.millis() < openUntil;
    }
}
