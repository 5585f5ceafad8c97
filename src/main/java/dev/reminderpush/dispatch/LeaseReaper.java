package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.observability.ReminderMetrics;
import dev.reminderpush.store.DispatchStore;
import dev.reminderpush.store.FleetClock;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.store.ShardHeads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The reaper route's bean (routes/dispatch.camel.yaml): puts reminders whose lease expired (their
 * dispatcher crashed or hung) back in the due set, and dead-letters those that keep expiring.
 */
@Component("leaseReaper")
public class LeaseReaper {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseReaper.class);
    private static final int PER_CALL = 1000;

    private final DispatchStore store;
    private final ShardFunction shards;
    private final int maxLeaseExpiries;
    private final ReminderMetrics metrics;
    private final ShardHeads heads;
    private final FleetClock fleetClock;

    public LeaseReaper(DispatchStore store, ShardFunction shards, ReminderProperties properties,
            ReminderMetrics metrics, ShardHeads heads, FleetClock fleetClock) {
        this.heads = heads;
        this.fleetClock = fleetClock;
        this.store = store;
        this.shards = shards;
        this.maxLeaseExpiries = properties.dispatch().maxLeaseExpiries();
        this.metrics = metrics;
    }

    public void reap() {
        long requeued = 0;
        long dead = 0;
        // one round trip finds the shards with an expired lease; a reap.lua call goes to those only
        long[] earliestExpiry = heads.earliestLeaseExpiry(shards.shardCount());
        long now = fleetClock.millis();
        for (int shard = 0; shard < shards.shardCount(); shard++) {
            if (earliestExpiry[shard] > now) {
                continue;
            }
            long shardRequeued = 0;
            DispatchStore.Reaped reaped;
            do {
                reaped = store.reap(shard, PER_CALL, maxLeaseExpiries);
                shardRequeued += reaped.requeued();
                dead += reaped.deadLettered();
            } while (reaped.requeued() + reaped.deadLettered() >= PER_CALL);
            if (shardRequeued > 0) {
                heads.announceDue(shard, 0); // due again now, on every instance
            }
            requeued += shardRequeued;
        }
        metrics.leaseExpired(requeued);
        metrics.deadLettered("lease_expired", dead);
        if (requeued + dead > 0) {
            LOG.warn("Leases expired: {} reminders back to due, {} dead-lettered after {} expiries", requeued, dead,
                    maxLeaseExpiries);
        }
    }
}
