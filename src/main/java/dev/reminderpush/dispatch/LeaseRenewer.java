package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.DispatchStore;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The lease heartbeat (route renew-leases in routes/dispatch.camel.yaml): every
 * {@code reminders.dispatch.lease-renewal} the leases of every claim this instance still holds are extended
 * to a full {@code reminders.dispatch.lease}. A crashed instance stops renewing, so its claims come back
 * after one short lease; a healthy one keeps its claims through merge holds and retries of any length.
 */
@Component("leaseRenewer")
public class LeaseRenewer {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);
    private static final int PER_CALL = 1000;

    private final HeldClaims held;
    private final DispatchStore store;
    private final long leaseMillis;

    public LeaseRenewer(HeldClaims held, DispatchStore store, ReminderProperties properties) {
        this.held = held;
        this.store = store;
        this.leaseMillis = properties.dispatch().lease().toMillis();
    }

    public void renew() {
        long lost = 0;
        long leaseUntil = 0; // the first call's expiry, given to the whole round
        for (Map.Entry<Integer, List<ClaimedReminder>> shard : held.snapshot().entrySet()) {
            List<ClaimedReminder> claims = shard.getValue();
            for (int from = 0; from < claims.size(); from += PER_CALL) {
                DispatchStore.Renewed renewed = store.renew(shard.getKey(),
                        claims.subList(from, Math.min(claims.size(), from + PER_CALL)), leaseMillis, leaseUntil);
                leaseUntil = renewed.leaseUntil();
                held.forget(renewed.lost()); // acknowledged meanwhile, or (after a stall longer than the lease) expired
                lost += renewed.lost().size();
            }
        }
        if (lost > 0) {
            LOG.debug("{} held claims were settled or expired before their renewal", lost);
        }
    }
}
