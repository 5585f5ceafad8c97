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
 */
final class DueHints {

    private long[] next;
    private long[] nudges;

    DueHints(int shardCount) {
        next = new long[shardCount]; // 0: not known yet, so due
        nudges = new long[shardCount];
    }

    /** Follows a layout change: new shards start unknown (so due), shards beyond the count are forgotten. */
    synchronized void resize(int shardCount) {
        if (shardCount != next.length) {
            int kept = Math.min(shardCount, next.length);
            long[] grownNext = new long[shardCount];
            long[] grownNudges = new long[shardCount];
            System.arraycopy(next, 0, grownNext, 0, kept);
            System.arraycopy(nudges, 0, grownNudges, 0, kept);
            next = grownNext;
            nudges = grownNudges;
        }
    }
    /** Taken before reading a shard; {@link #learn} needs it. */
    synchronized long mark(int shard) {
        return shard < nudges.length ? nudges[shard] : 0;
    }

    synchronized long[] marks() {
        return nudges.clone();
    }

    /** A read of the shard (a claim or a peek, begun at {@code mark}) found {@code earliest} as its earliest due time. */
    synchronized void learn(int shard, long mark, long earliest) {
        if (shard >= next.length) {
            return;
        }
        next[shard] = nudges[shard] == mark ? earliest : Math.min(next[shard], earliest);
    }

    synchronized void learnAll(long[] marks, long[] earliest) {
        for (int shard = 0; shard < Math.min(next.length, Math.min(marks.length, earliest.length)); shard++) {
            learn(shard, marks[shard], earliest[shard]);
        }
    }

    /** A write announced something due at {@code dueMillis}. */
    synchronized void nudge(int shard, long dueMillis) {
        if (shard >= next.length) {
            return;
        }
        nudges[shard]++;
        next[shard] = Math.min(next[shard], dueMillis);
    }

    /** Look at the shard again no sooner than {@code untilMillis} (another instance drains it; Redis failed). */
    synchronized void postpone(int shard, long untilMillis) {
        if (shard >= next.length) {
            return;
        }
        next[shard] = Math.max(next[shard], untilMillis);
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
