package dev.reminderpush.store;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.zset.Tuple;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/**
 * The earliest score of every shard's due set (or in-flight set), read in one pipelined round trip, so that
 * a poll tick or a reaper round with nothing to do costs one Redis call instead of a script per shard; and
 * the nudge that tells every instance a shard's earliest due time moved forward.
 */
@Component
public class ShardHeads {

    private static final Logger LOG = LoggerFactory.getLogger(ShardHeads.class);

    /** No entry in the set. */
    public static final long NONE = Long.MAX_VALUE;

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final FleetClock fleetClock;
    private final Clock clock;

    public ShardHeads(StringRedisTemplate redis, ReminderKeys keys, FleetClock fleetClock, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.fleetClock = fleetClock;
        this.clock = clock;
    }

    /** Per shard, the lowest due time over its lanes, and that of its high lane (epoch millis, or {@link #NONE}). */
    public record DueHeads(long[] earliest, long[] high) {}

    /** Every shard's lane heads, in one round trip. */
    public DueHeads dueHeads(int shardCount) {
        long[][] lanes = earliest(shardCount, "peek due", shard -> keys.due(shard, Priority.HIGH), keys::due,
                shard -> keys.due(shard, Priority.LOW));
        long[] earliest = new long[shardCount];
        for (int shard = 0; shard < shardCount; shard++) {
            earliest[shard] = Math.min(lanes[0][shard], Math.min(lanes[1][shard], lanes[2][shard]));
        }
        return new DueHeads(earliest, lanes[0]);
    }

    /** Per shard, the lowest lease expiry (epoch millis), or {@link #NONE}. */
    public long[] earliestLeaseExpiry(int shardCount) {
        return earliest(shardCount, "peek leases", keys::inflight)[0];
    }

    /**
     * Tells every instance (pub/sub, best effort: the next poll tick reads the shard anyway) that {@code shard}
     * has something due at {@code dueMillis}.
     */
    public void announceDue(int shard, long dueMillis) {
        announceDue(shard, dueMillis, false);
    }

    /** {@link #announceDue(int, long)}, for the shard's high lane when {@code highLane} (it is served out of turn). */
    public void announceDue(int shard, long dueMillis, boolean highLane) {
        try {
            redis.convertAndSend(keys.dueNudges(), shard + "|" + dueMillis + (highLane ? "|high" : ""));
        } catch (RuntimeException e) {
            LOG.debug("Could not announce shard {} due at {}: {}", shard, dueMillis, e.getMessage());
        }
    }

    /** Reads Redis time into the {@link FleetClock}: wake-ups are planned in Redis time, whatever this host's clock does. */
    public void refreshFleetClock() {
        long before = clock.millis();
        Long now = RedisFailures.call("time", () -> redis.execute(LuaScripts.TIME, List.of()));
        fleetClock.observe(now, before, clock.millis());
    }

    /** Per key family and shard, the lowest score, or {@link #NONE}. */
    @SafeVarargs
    private long[][] earliest(int shardCount, String what, IntFunction<String>... families) {
        List<Object> replies = RedisFailures.call(what, () -> redis.executePipelined((RedisCallback<Object>) connection -> {
            for (IntFunction<String> key : families) {
                readHeads(connection, shardCount, key);
            }
            return null;
        }));
        long[][] heads = new long[families.length][shardCount];
        for (int f = 0; f < families.length; f++) {
            for (int shard = 0; shard < shardCount; shard++) {
                Set<?> head = (Set<?>) replies.get(f * shardCount + shard);
                heads[f][shard] = NONE;
                for (Object entry : head) {
                    Double score = entry instanceof TypedTuple<?> typed ? typed.getScore() : ((Tuple) entry).getScore();
                    heads[f][shard] = score == null ? NONE : score.longValue();
                }
            }
        }
        return heads;
    }

    private static void readHeads(RedisConnection connection, int shardCount, IntFunction<String> key) {
        for (int shard = 0; shard < shardCount; shard++) {
            connection.zSetCommands().zRangeWithScores(key.apply(shard).getBytes(StandardCharsets.UTF_8), 0, 0);
        }
    }
}
