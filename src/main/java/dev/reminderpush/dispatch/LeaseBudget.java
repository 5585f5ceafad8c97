package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Refuses settings under which a healthy instance could lose its lease while it still works on a
 * reminder (another instance would then deliver it a second time). Leases are renewed every
 * {@code lease-renewal} while the instance holds the claim, so the lease only has to outlast a few
 * missed renewals (a slow Redis, a GC pause), not the merge hold and the retry budget.
 */
@Component
public class LeaseBudget {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseBudget.class);

    /** Renewals that may fail or come late in a row before a healthy instance's lease runs out. */
    static final int MISSED_RENEWALS = 2;
    /** Room for one renewal round itself and a slow Redis reply. */
    static final long MARGIN_MILLIS = 1_000;

    public LeaseBudget(ReminderProperties properties) {
        ReminderProperties.Dispatch dispatch = properties.dispatch();
        ReminderProperties.Delivery delivery = properties.delivery();
        long sendTimeout = delivery.kafka().timeout().toMillis();
        long requestTimeout = delivery.kafka().requestTimeout().toMillis();
        if (sendTimeout < requestTimeout + 5) {
            throw new IllegalStateException("reminders.delivery.kafka.timeout (" + sendTimeout
                    + " ms) must exceed reminders.delivery.kafka.request-timeout (" + requestTimeout
                    + " ms) plus the 5 ms linger");
        }
        long lease = dispatch.lease().toMillis();
        long renewal = dispatch.leaseRenewal().toMillis();
        if (renewal < 100 || lease < (MISSED_RENEWALS + 1) * renewal + MARGIN_MILLIS) {
            throw new IllegalStateException("reminders.dispatch.lease is " + lease + " ms and reminders.dispatch.lease-renewal "
                    + renewal + " ms: the renewal must be at least 100 ms and the lease at least " + (MISSED_RENEWALS + 1)
                    + " renewals plus " + MARGIN_MILLIS + " ms long, so a healthy instance survives " + MISSED_RENEWALS
                    + " missed renewals");
        }
        LOG.info("Leases of {} ms, renewed every {} ms while held", lease, renewal);
    }
}
