package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Refuses settings under which a healthy instance could lose its lease while it still works on a
 * reminder (another instance would then deliver it a second time): the lease must outlast the longest
 * a reminder can wait for merge siblings plus the whole retry budget of its delivery.
 */
@Component
public class LeaseBudget {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseBudget.class);

    private final long requiredMillis;

    public LeaseBudget(ReminderProperties properties) {
        ReminderProperties.Dispatch dispatch = properties.dispatch();
        ReminderProperties.Delivery delivery = properties.delivery();
        ReminderProperties.Delivery.Retry retry = delivery.retry();
        if (delivery.kafka().timeoutMs() < delivery.kafka().requestTimeoutMs() + 5) {
            throw new IllegalStateException("reminders.delivery.kafka.timeout-ms (" + delivery.kafka().timeoutMs()
                    + ") must exceed reminders.delivery.kafka.request-timeout-ms (" + delivery.kafka().requestTimeoutMs()
                    + ") plus the 5 ms linger");
        }
        double waits = 0;
        double delay = retry.initialDelayMs();
        for (int i = 0; i < retry.maxRetries(); i++) {
            waits += Math.min(delay, retry.maxDelayMs()) * (1 + retry.jitter());
            delay *= retry.multiplier();
        }
        long attempt = Math.max(delivery.kafka().timeoutMs(), 2 * delivery.http().timeoutMs()); // HTTP: connect + response
        long retryBudget = (long) waits + (retry.maxRetries() + 1L) * attempt;
        long mergeHold = dispatch.mergeWindow().toMillis() + dispatch.pollIntervalMs() + dispatch.drainLease().toMillis();
        this.requiredMillis = retryBudget + mergeHold;
        if (dispatch.lease().toMillis() < requiredMillis) {
            throw new IllegalStateException("reminders.dispatch.lease is " + dispatch.lease().toMillis() + " ms, but a reminder "
                    + "may be held up to " + mergeHold + " ms for merging and then retried for up to " + retryBudget
                    + " ms: set the lease to at least " + requiredMillis + " ms, or lower the retry settings / timeouts");
        }
        LOG.info("Lease {} ms covers merge hold {} ms + retry budget {} ms", dispatch.lease().toMillis(), mergeHold, retryBudget);
    }

    public long requiredMillis() {
        return requiredMillis;
    }
}
