package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.ReminderId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The claims this instance still works on: from the claim until the reminder is acknowledged, dead-lettered
 * or given back (or given up, so that its lease brings it back), each with the lease expiry it was last given
 * (Redis time). {@link LeaseRenewer} extends exactly these leases, those older than one renewal interval; a claim
 * forgotten here expires after one lease and another instance delivers it.
 */
@Component
public class HeldClaims {

    private final Map<Integer, Map<Key, Held>> byShard = new ConcurrentHashMap<>();
    /** A shard's share of max-in-flight: sized up front, a burst's first claims do not rehash the map again and again. */
    private final int initialPerShard;

    public HeldClaims(ReminderProperties properties) {
        this.initialPerShard = Math.max(16, properties.dispatch().maxInFlight() / properties.shardCount());
    }

    /** A claim batch is held as a whole: a renewal round sees all of it or none (so it all expires together). */
    public synchronized void hold(List<ClaimedReminder> claimed, long leaseUntil) {
        for (ClaimedReminder r : claimed) {
            byShard.computeIfAbsent(r.shard(), s -> new ConcurrentHashMap<>(initialPerShard)).put(key(r), new Held(r, leaseUntil));
        }
    }

    /** These claims (still held ones) were given the lease expiry {@code leaseUntil}. */
    public synchronized void leased(Collection<ClaimedReminder> claims, long leaseUntil) {
        for (ClaimedReminder r : claims) {
            Map<Key, Held> shard = byShard.get(r.shard());
            Held held = shard == null ? null : shard.get(key(r));
            if (held != null) {
                held.leaseUntil = leaseUntil;
            }
        }
    }

    public void forget(Collection<ClaimedReminder> done) {
        for (ClaimedReminder r : done) {
            Map<Key, Held> shard = byShard.get(r.shard());
            if (shard != null) {
                shard.remove(key(r));
            }
        }
    }

    /** Whether any of these claims is still held (not acknowledged, given back or given up). */
    public boolean holdsAny(Collection<ClaimedReminder> claims) {
        for (ClaimedReminder r : claims) {
            Map<Key, Held> shard = byShard.get(r.shard());
            if (shard != null && shard.containsKey(key(r))) {
                return true;
            }
        }
        return false;
    }

    /** A snapshot of what is held, per shard. */
    public Map<Integer, List<ClaimedReminder>> snapshot() {
        return expiringBy(Long.MAX_VALUE);
    }

    /**
     * The held claims whose lease ends by {@code time} (Redis time), per shard. Claims that were given one
     * expiry (a claim batch, a message aligned before sending) are always in it together.
     */
    public synchronized Map<Integer, List<ClaimedReminder>> expiringBy(long time) {
        Map<Integer, List<ClaimedReminder>> copy = new TreeMap<>();
        byShard.forEach((shard, claims) -> {
            List<ClaimedReminder> due = new ArrayList<>();
            for (Held held : claims.values()) {
                if (held.leaseUntil <= time) {
                    due.add(held.reminder);
                }
            }
            if (!due.isEmpty()) {
                copy.put(shard, due);
            }
        });
        return copy;
    }

    public int size() {
        return byShard.values().stream().mapToInt(Map::size).sum();
    }

    private static final class Held {
        final ClaimedReminder reminder;
        volatile long leaseUntil;

        Held(ClaimedReminder reminder, long leaseUntil) {
            this.reminder = reminder;
            this.leaseUntil = leaseUntil;
        }
    }

    /** One entry per claim: the same reminder claimed again later (after a lease expiry) is another claim. */
    private record Key(ReminderId id, String claimId) {}

    private static Key key(ClaimedReminder r) {
        return new Key(r.id(), r.claimId()); // no string built per lookup: this runs three times per reminder
    }
}
