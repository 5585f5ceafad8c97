package dev.reminderpush.dispatch;

import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.ReminderId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The claims this instance still works on: from the claim until the reminder is acknowledged, dead-lettered
 * or given back (or given up, so that its lease brings it back). {@link LeaseRenewer} extends exactly these
 * leases; a claim forgotten here expires after one lease and another instance delivers it.
 */
@Component
public class HeldClaims {

    private final Map<Integer, Map<Key, ClaimedReminder>> byShard = new ConcurrentHashMap<>();

    /** A claim batch is held as a whole: a renewal round sees all of it or none (so it all expires together). */
    public synchronized void hold(List<ClaimedReminder> claimed) {
        for (ClaimedReminder r : claimed) {
            byShard.computeIfAbsent(r.shard(), s -> new ConcurrentHashMap<>()).put(key(r), r);
        }
    }

    public void forget(Collection<ClaimedReminder> done) {
        for (ClaimedReminder r : done) {
            Map<Key, ClaimedReminder> shard = byShard.get(r.shard());
            if (shard != null) {
                shard.remove(key(r));
            }
        }
    }

    /** Whether any of these claims is still held (not acknowledged, given back or given up). */
    public boolean holdsAny(Collection<ClaimedReminder> claims) {
        for (ClaimedReminder r : claims) {
            Map<Key, ClaimedReminder> shard = byShard.get(r.shard());
            if (shard != null && shard.containsKey(key(r))) {
                return true;
            }
        }
        return false;
    }

    /** A snapshot of what is held, per shard. */
    public synchronized Map<Integer, List<ClaimedReminder>> snapshot() {
        Map<Integer, List<ClaimedReminder>> copy = new java.util.TreeMap<>();
        byShard.forEach((shard, claims) -> {
            if (!claims.isEmpty()) {
                copy.put(shard, new ArrayList<>(claims.values()));
            }
        });
        return copy;
    }

    public int size() {
        return byShard.values().stream().mapToInt(Map::size).sum();
    }

    /** One entry per claim: the same reminder claimed again later (after a lease expiry) is another claim. */
    private record Key(ReminderId id, String claimId) {}

    private static Key key(ClaimedReminder r) {
        return new Key(r.id(), r.claimId()); // no string built per lookup: this runs three times per reminder
    }
}
