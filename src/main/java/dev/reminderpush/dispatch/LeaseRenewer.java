package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.DispatchStore;
import dev.reminderpush.store.FleetClock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The lease heartbeat (route renew-leases in routes/dispatch.camel.yaml): every
 * {@code reminders.dispatch.lease-renewal} the leases of the claims this instance still holds that would run
 * out within two renewal intervals are extended to a full {@code reminders.dispatch.lease}. A crashed instance stops renewing, so its claims come back
 * after one short lease; a healthy one keeps its claims through merge holds and retries of any length.
 */
@Component("leaseRenewer")
public class LeaseRenewer {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);
    private static final int PER_CALL = 1000;

    private final HeldClaims held;
    private final DispatchStore store;
    private final long leaseMillis;
    private final long renewalMillis;
    private final FleetClock fleetClock;

    public LeaseRenewer(HeldClaims held, DispatchStore store, ReminderProperties properties,
            FleetClock fleetClock) {
        this.fleetClock = fleetClock;
        this.renewalMillis = properties.dispatch().leaseRenewal().toMillis();
        this.held = held;
        this.store = store;
        this.leaseMillis = properties.dispatch().lease().toMillis();
    }

    /**
     * Gives the reminders of one message (of one shard) one expiry before it is sent, so that if this instance
     * dies they come back, and are merged again, together. Never in the middle of a renewal round: a round
     * that renews a shard in several calls would give part of the message another expiry.
     */
    public synchronized void align(int shard, List<ClaimedReminder> message) {
        DispatchStore.Renewed renewed = store.renew(shard, message, leaseMillis, 0);
        held.leased(message, renewed.leaseUntil());
    }

    public synchronized void renew() {
        long lost = 0;
        RuntimeException failure = null;
        // every lease that has run for a renewal interval or more: a claim younger than that keeps its first
        // lease (a burst delivered within one interval of its claim costs no renewal), and a renewed lease still
        // has lease - renewal left, enough for the missed renewals LeaseBudget allows
        long before = fleetClock.millis() + leaseMillis - renewalMillis;
        for (Map.Entry<Integer, List<ClaimedReminder>> shard : held.expiringBy(before).entrySet()) {
            List<ClaimedReminder> claims = shard.getValue();
            long leaseUntil = 0; // one expiry for the round's claims of a shard (one Redis clock): what was merged expires together
            try {
                for (int from = 0; from < claims.size(); from += PER_CALL) {
                    DispatchStore.Renewed renewed = store.renew(shard.getKey(),
                            claims.subList(from, Math.min(claims.size(), from + PER_CALL)), leaseMillis, leaseUntil);
                    leaseUntil = renewed.leaseUntil();
                    held.leased(claims.subList(from, Math.min(claims.size(), from + PER_CALL)), leaseUntil);
                    held.forget(renewed.lost()); // acknowledged meanwhile, or (after a stall longer than the lease) expired
                    lost += renewed.lost().size();
                }
            } catch (RuntimeException e) { // one shard's Redis node is away: the other shards are still renewed
                failure = e;
            }
        }
        if (lost > 0) {
            LOG.debug("{} held claims were settled or expired before their renewal", lost);
        }
        if (failure != null) {
            throw failure;
        }
    }
}
