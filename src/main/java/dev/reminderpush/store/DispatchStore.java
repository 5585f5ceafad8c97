package dev.reminderpush.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The dispatcher's side of the store: claim due reminders under a lease, acknowledge them once the
 * message center accepted them, give unsent ones back, reap expired leases, and record dead letters.
 * Each operation is one Lua script over one shard's keys.
 */
@Component
public class DispatchStore {

    /**
     * One claim.lua call; the lease runs {@code leaseMillis} from Redis server time, or until {@code leaseUntil}
     * when at least {@code minLeaseLeftMillis} of that are left (0 = always a fresh lease). A {@code oneOff} claim
     * (a high lane served out of turn) leaves the shard's drain lease as it found it: free, if it was.
     */
    public record ClaimRequest(
            int limit, long leaseMillis, String claimId, String owner, long drainLeaseMillis, long mergeWindowMillis,
            int lookAheadLimit, long leaseUntil, long minLeaseLeftMillis, LaneShares lanes, boolean oneOff) {

        public ClaimRequest(int limit, long leaseMillis, String claimId, String owner, long drainLeaseMillis,
                long mergeWindowMillis, int lookAheadLimit, long leaseUntil, long minLeaseLeftMillis, LaneShares lanes) {
            this(limit, leaseMillis, claimId, owner, drainLeaseMillis, mergeWindowMillis, lookAheadLimit, leaseUntil,
                    minLeaseLeftMillis, lanes, false);
        }

        public ClaimRequest(int limit, long leaseMillis, String claimId, String owner, long drainLeaseMillis,
                long mergeWindowMillis, int lookAheadLimit, long leaseUntil, long minLeaseLeftMillis) {
            this(limit, leaseMillis, claimId, owner, drainLeaseMillis, mergeWindowMillis, lookAheadLimit, leaseUntil,
                    minLeaseLeftMillis, LaneShares.DEFAULT);
        }

        public ClaimRequest(int limit, long leaseMillis, String claimId, String owner, long drainLeaseMillis,
                long mergeWindowMillis, int lookAheadLimit) {
            this(limit, leaseMillis, claimId, owner, drainLeaseMillis, mergeWindowMillis, lookAheadLimit, 0, 0);
        }
    }

    /**
     * How a claim shares its room among the lanes of due reminders: by weight, after the age rule took everything
     * overdue by more than {@code maxWaitMillis}, oldest first, whatever its lane (claim.lua).
     */
    public record LaneShares(int high, int normal, int low, long maxWaitMillis) {
        public static final LaneShares DEFAULT = new LaneShares(6, 3, 1, 10_000);
    }

    /** One dead letter to write: the claimed reminder and JSON fields describing the failure. */
    public record Failure(ClaimedReminder reminder, String failureJsonFields) {}

    public record Reaped(long requeued, long deadLettered) {}

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final FleetClock fleetClock;
    private final java.time.Clock clock;

    public DispatchStore(StringRedisTemplate redis, ReminderKeys keys, FleetClock fleetClock, java.time.Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.fleetClock = fleetClock;
        this.clock = clock;
    }

    public ClaimResult claim(int shard, ClaimRequest request) {
        long before = clock.millis();
        List<?> reply = RedisFailures.call("claim", () -> redis.execute(LuaScripts.CLAIM,
                keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.inflight(shard), keys.claims(shard),
                        keys.drainer(shard)),
                Integer.toString(request.limit()), Long.toString(request.leaseMillis()), request.claimId(), request.owner(),
                Long.toString(request.drainLeaseMillis()), Long.toString(request.mergeWindowMillis()),
                Integer.toString(request.lookAheadLimit()), Long.toString(request.leaseUntil()),
                Long.toString(request.minLeaseLeftMillis()), Integer.toString(request.lanes().high()),
                Integer.toString(request.lanes().normal()), Integer.toString(request.lanes().low()),
                Long.toString(request.lanes().maxWaitMillis()), request.oneOff() ? "1" : "0"));
        long now = ((Number) reply.get(1)).longValue();
        fleetClock.observe(now, before, clock.millis());
        if ("busy".equals(String.valueOf(reply.get(0)))) {
            return ClaimResult.busy(now);
        }
        List<?> flat = (List<?>) reply.get(2);
        List<ClaimedReminder> claimed = new ArrayList<>(flat.size() / 3);
        for (int i = 0; i < flat.size(); i += 3) {
            // the due time from the payload: a requeued reminder's score may be its user's earliest (reap.lua)
            StoredPayload payload = StoredPayload.parse(flat.get(i + 2).toString());
            claimed.add(new ClaimedReminder(shard, ReminderId.parse(flat.get(i).toString()), payload.revision(),
                    request.claimId(), payload.dueMillis(), payload.channel(), payload.content(), claimed.size()));
        }
        List<?> ahead = (List<?>) reply.get(3);
        Map<String, Long> upcoming = new HashMap<>();
        for (int i = 0; i < ahead.size(); i += 2) {
            upcoming.put(ahead.get(i).toString(), (long) Double.parseDouble(ahead.get(i + 1).toString()));
        }
        boolean full = flat.size() / 3 >= request.limit(); // more than the limit: the last user finished
        long nextDue = ((Number) reply.get(6)).longValue();
        long nextHigh = ((Number) reply.get(7)).longValue();
        return new ClaimResult(false, now, claimed, full, upcoming, ((Number) reply.get(4)).longValue() == 1,
                ((Number) reply.get(5)).longValue(), nextDue < 0 ? ShardHeads.NONE : nextDue,
                nextHigh < 0 ? ShardHeads.NONE : nextHigh);
    }

    /** The message center accepted these reminders (all of one shard). Returns how many were removed. */
    public long ack(int shard, List<ClaimedReminder> delivered) {
        Object[] args = new Object[delivered.size() * 3];
        int a = 0;
        for (ClaimedReminder r : delivered) {
            args[a++] = r.id().toString();
            args[a++] = Long.toString(r.revision());
            args[a++] = r.claimId();
        }
        return RedisFailures.call("ack", () -> redis.execute(LuaScripts.ACK, inflightKeys(shard), args));
    }

    /** What one renew.lua call did: the expiry it gave, and the claims that are no longer this instance's. */
    public record Renewed(long leaseUntil, List<ClaimedReminder> lost) {}

    /**
     * Extends the leases of claims (all of one shard) this instance still holds: to {@code leaseUntil} when that
     * lies ahead in Redis time, else to {@code leaseMillis} from Redis time.
     */
    public Renewed renew(int shard, List<ClaimedReminder> held, long leaseMillis, long leaseUntil) {
        Object[] args = new Object[2 + held.size() * 2];
        args[0] = Long.toString(leaseMillis);
        args[1] = Long.toString(leaseUntil);
        int a = 2;
        for (ClaimedReminder r : held) {
            args[a++] = r.id().toString();
            args[a++] = r.revision() + "|" + r.claimId();
        }
        List<?> reply = RedisFailures.call("renew", () -> redis.execute(LuaScripts.RENEW,
                List.of(keys.inflight(shard), keys.claims(shard)), args));
        List<ClaimedReminder> lost = new ArrayList<>(reply.size() - 1);
        for (int i = 1; i < reply.size(); i++) {
            lost.add(held.get(((Number) reply.get(i)).intValue() - 1));
        }
        return new Renewed(((Number) reply.get(0)).longValue(), lost);
    }

    /** Gives claimed, unsent reminders (all of one shard) back to the due set. */
    public long release(int shard, List<ClaimedReminder> unsent) {
        Object[] args = new Object[unsent.size() * 4];
        int a = 0;
        for (ClaimedReminder r : unsent) {
            args[a++] = r.id().toString();
            args[a++] = Long.toString(r.revision());
            args[a++] = r.claimId();
            args[a++] = Long.toString(r.dueMillis());
        }
        return RedisFailures.call("release", () -> redis.execute(LuaScripts.RELEASE,
                keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.inflight(shard), keys.claims(shard)), args));
    }

    /** Handles up to {@code limit} leases that expired by Redis server time. */
    public Reaped reap(int shard, int limit, int leaseExpiriesAllowed) {
        List<?> reply = RedisFailures.call("reap", () -> redis.execute(LuaScripts.REAP, deadLetterKeys(shard),
                Integer.toString(limit), Integer.toString(leaseExpiriesAllowed)));
        return new Reaped(((Number) reply.get(0)).longValue(), ((Number) reply.get(1)).longValue());
    }

    /** Writes dead letters for failures of one shard (claims still held only). Returns how many were written. */
    public long deadLetter(int shard, List<Failure> failures) {
        Object[] args = new Object[failures.size() * 4];
        int a = 0;
        for (Failure f : failures) {
            args[a++] = f.reminder().id().toString();
            args[a++] = Long.toString(f.reminder().revision());
            args[a++] = f.reminder().claimId();
            args[a++] = f.failureJsonFields();
        }
        return RedisFailures.call("dead-letter", () -> redis.execute(LuaScripts.DEAD_LETTER, deadLetterKeys(shard), args));
    }

    private List<String> inflightKeys(int shard) {
        return keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.inflight(shard), keys.claims(shard),
                keys.attempts(shard));
    }

    private List<String> deadLetterKeys(int shard) {
        return keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.inflight(shard), keys.claims(shard),
                keys.attempts(shard), keys.dead(shard), keys.deadAt(shard));
    }
}
