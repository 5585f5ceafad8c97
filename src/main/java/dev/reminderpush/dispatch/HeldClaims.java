package dev.reminderpush.dispatch;

import dev.reminderpush.store.ClaimedReminder;
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
 *
 * <p>Tracked per claim batch (claim id), each reminder by its position in the claim's reply: no map entry per
 * reminder. The same reminder claimed again later (after a lease expiry) is another claim, so another entry.
 */
@Component
public class HeldClaims {

    private final Map<String, Batch> byClaim = new ConcurrentHashMap<>();

    /**
     * A claim batch is held as a whole (a renewal round sees all of it or none, so it all expires together).
     * Every reminder must carry its position in its claim's reply ({@link ClaimedReminder#position()}).
     */
    public synchronized void hold(List<ClaimedReminder> claimed, long leaseUntil) {
        Map<String, List<ClaimedReminder>> claims = new java.util.LinkedHashMap<>(2);
        for (ClaimedReminder r : claimed) {
            if (r.position() < 0) {
                throw new IllegalArgumentException("only reminders of a claim reply can be held: " + r.id());
            }
            claims.computeIfAbsent(r.claimId(), c -> new ArrayList<>(claimed.size())).add(r);
        }
        claims.forEach((claimId, reminders) -> {
            int size = 0;
            for (ClaimedReminder r : reminders) {
                size = Math.max(size, r.position() + 1);
            }
            Batch batch = new Batch(reminders.get(0).shard(), size);
            for (ClaimedReminder r : reminders) {
                batch.add(r, leaseUntil);
            }
            byClaim.put(claimId, batch);
        });
    }

    /** These claims (still held ones) were given the lease expiry {@code leaseUntil}. */
    public synchronized void leased(Collection<ClaimedReminder> claims, long leaseUntil) {
        for (ClaimedReminder r : claims) {
            Batch batch = byClaim.get(r.claimId());
            if (batch != null) {
                batch.leased(r, leaseUntil);
            }
        }
    }

    public void forget(Collection<ClaimedReminder> done) {
        for (ClaimedReminder r : done) {
            Batch batch = byClaim.get(r.claimId());
            if (batch != null && batch.forget(r)) {
                byClaim.remove(r.claimId(), batch);
            }
        }
    }

    /** Whether any of these claims is still held (not acknowledged, given back or given up). */
    public boolean holdsAny(Collection<ClaimedReminder> claims) {
        for (ClaimedReminder r : claims) {
            Batch batch = byClaim.get(r.claimId());
            if (batch != null && batch.holds(r)) {
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
        for (Batch batch : byClaim.values()) {
            batch.expiringBy(time, copy);
        }
        return copy;
    }

    public int size() {
        int size = 0;
        for (Batch batch : byClaim.values()) {
            size += batch.held();
        }
        return size;
    }

    /** One claim's reminders by position: null once settled. */
    private static final class Batch {
        final int shard;
        final ClaimedReminder[] reminders;
        final long[] leaseUntil;
        int held;

        Batch(int shard, int size) {
            this.shard = shard;
            this.reminders = new ClaimedReminder[size];
            this.leaseUntil = new long[size];
        }

        /** Only while the batch is built, before anyone else sees it. */
        void add(ClaimedReminder r, long lease) {
            if (reminders[r.position()] == null) {
                held++;
            }
            reminders[r.position()] = r;
            leaseUntil[r.position()] = lease;
        }

        /** The position holds this very claim (same reminder id) and it is not settled. */
        private boolean at(ClaimedReminder r) {
            int p = r.position();
            return p >= 0 && p < reminders.length && reminders[p] != null && reminders[p].id().equals(r.id());
        }

        synchronized boolean holds(ClaimedReminder r) {
            return at(r);
        }

        synchronized void leased(ClaimedReminder r, long lease) {
            if (at(r)) {
                leaseUntil[r.position()] = lease;
            }
        }

        /** Returns true when this settled the batch's last held claim. */
        synchronized boolean forget(ClaimedReminder r) {
            if (!at(r)) {
                return false;
            }
            reminders[r.position()] = null;
            return --held == 0;
        }

        synchronized int held() {
            return held;
        }

        synchronized void expiringBy(long time, Map<Integer, List<ClaimedReminder>> into) {
            List<ClaimedReminder> due = null;
            for (int p = 0; p < reminders.length; p++) {
                if (reminders[p] != null && leaseUntil[p] <= time) {
                    if (due == null) {
                        due = into.computeIfAbsent(shard, s -> new ArrayList<>());
                    }
                    due.add(reminders[p]);
                }
            }
        }
    }
}
