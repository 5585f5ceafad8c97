package dev.reminderpush.dispatch;

import java.util.Arrays;

/**
 * Each shard's earliest due time (Redis time) as this instance last learnt it: from its own claims, from the
 * poll tick's read of every shard, and from nudges (another writer gave a shard an earlier due time). The
 * dispatcher drains only shards whose hint has come, and wakes up when the earliest hint comes.
 *
 * <p>A hint may be early (another instance claimed those reminders first: the claim finds nothing and learns
 * the new earliest), never late for long: every poll tick reads all shards again. A claim's answer does not
 * overwrite a nudge that arrived while the claim was on its way ({@link #mark}): it may not have seen that write.
 *
 * <p>It also keeps each shard's earliest due time of the high lane: a pass serves a shard whose high lane is due
 * out of turn ({@link #highDue}), so a high reminder does not wait while the walk drains another shard's backlog.
 */
final class DueHints {

    private long[] next;
    private long[] nudges;
    private long[] high;

    DueHints(int shardCount) {
        next = new long[shardCount]; // 0: not known yet, so due
        nudges = new long[shardCount];
        high = none(shardCount); // not known yet: no preference until the first read
    }

    private static long[] none(int count) {
        long[] values = new long[count];
        Arrays.fill(values, Long.MAX_VALUE);
        return values;
    }

    /** Follows a layout change: new shards start unknown (so due), shards beyond the count are forgotten. */
    synchronized void resize(int shardCount) {
        if (shardCount != next.length) {
            int kept = Math.min(shardCount, next.length);
            long[] grownNext = new long[shardCount];
            long[] grownNudges = new long[shardCount];
            long[] grownHigh = none(shardCount);
            System.arraycopy(next, 0, grownNext, 0, kept);
            System.arraycopy(nudges, 0, grownNudges, 0, kept);
            System.arraycopy(high, 0, grownHigh, 0, kept);
            next = grownNext;
            nudges = grownNudges;
            high = grownHigh;
        }
    }
    /** Taken before reading a shard; {@link #learn} needs it. */
    synchronized long mark(int shard) {
        return shard < nudges.length ? nudges[shard] : 0;
    }

    synchronized long[] marks() {
        return nudges.clone();
    }

    /**
     * A read of the shard (a claim or a peek, begun at {@code mark}) found {@code earliest} as its earliest due time,
     * and {@code earliestHigh} as that of its high lane.
     */
    synchronized void learn(int shard, long mark, long earliest, long earliestHigh) {
        if (shard >= next.length) {
            return;
        }
        boolean unchanged = nudges[shard] == mark;
        next[shard] = unchanged ? earliest : Math.min(next[shard], earliest);
        high[shard] = unchanged ? earliestHigh : Math.min(high[shard], earliestHigh);
    }

    synchronized void learnAll(long[] marks, long[] earliest, long[] earliestHigh) {
        int count = Math.min(next.length, Math.min(marks.length, Math.min(earliest.length, earliestHigh.length)));
        for (int shard = 0; shard < count; shard++) {
            learn(shard, marks[shard], earliest[shard], earliestHigh[shard]);
        }
    }

    /** A write announced something due at {@code dueMillis}, in the high lane when {@code inHighLane}. */
    synchronized void nudge(int shard, long dueMillis, boolean inHighLane) {
        if (shard >= next.length) {
            return;
        }
        nudges[shard]++;
        next[shard] = Math.min(next[shard], dueMillis);
        if (inHighLane) {
            high[shard] = Math.min(high[shard], dueMillis);
        }
    }

    /**
     * The shard other than {@code except} whose high lane has waited longest for a claim ({@code -1}: none has
     * anything due by {@code nowMillis}).
     */
    synchronized int highDue(long nowMillis, int except) {
        int found = -1;
        for (int shard = 0; shard < high.length; shard++) {
            if (shard != except && high[shard] <= nowMillis && (found < 0 || high[shard] < high[found])) {
                found = shard;
            }
        }
        return found;
    }

    /** Serve the shard's high lane out of turn no sooner than {@code untilMillis} (another instance drains it). */
    synchronized void postponeHigh(int shard, long untilMillis) {
        if (shard < high.length) {
            high[shard] = Math.max(high[shard], untilMillis);
        }
    }

    /** Look at the shard again no sooner than {@code untilMillis} (another instance drains it; Redis failed), high lane too. */
    synchronized void postpone(int shard, long untilMillis) {
        if (shard >= next.length) {
            return;
        }
        next[shard] = Math.max(next[shard], untilMillis);
        high[shard] = Math.max(high[shard], untilMillis);
    }

    synchronized boolean isDue(int shard, long nowMillis) {
        return shard < next.length && next[shard] <= nowMillis;
    }

    synchronized long earliest() {
        return Arrays.stream(next).min().orElse(Long.MAX_VALUE);
    }

    synchronized int shardCount() {
        return next.length;
    }
}
