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

    /** Per shard, the lowest due time (epoch millis), or {@link #NONE}. */
    public long[] earliestDue(int shardCount) {
        return earliest(shardCount, keys::due, "peek due");
    }

    /** Per shard, the lowest lease expiry (epoch millis), or {@link #NONE}. */
    public long[] earliestLeaseExpiry(int shardCount) {
        return earliest(shardCount, keys::inflight, "peek leases");
    }

    /**
     * Tells every instance (pub/sub, best effort: the next poll tick reads the shard anyway) that {@code shard}
     * has something due at {@code dueMillis}.
     */
    public void announceDue(int shard, long dueMillis) {
        try {
            redis.convertAndSend(keys.dueNudges(), shard + "|" + dueMillis);
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

    private long[] earliest(int shardCount, IntFunction<String> key, String what) {
        List<Object> replies = RedisFailures.call(what, () -> redis.executePipelined((RedisCallback<Object>) connection -> {
            readHeads(connection, shardCount, key);
            return null;
        }));
        long[] heads = new long[shardCount];
        for (int shard = 0; shard < shardCount; shard++) {
            Set<?> head = (Set<?>) replies.get(shard);
            heads[shard] = NONE;
            for (Object entry : head) {
                Double score = entry instanceof TypedTuple<?> typed ? typed.getScore() : ((Tuple) entry).getScore();
                heads[shard] = score == null ? NONE : score.longValue();
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
