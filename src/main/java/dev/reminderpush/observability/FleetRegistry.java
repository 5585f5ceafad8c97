package dev.reminderpush.observability;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.InstanceId;
import dev.reminderpush.store.FleetClock;
import dev.reminderpush.store.ReminderKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.stereotype.Component;

/**
 * Which dispatching instances are alive, for the operator console: each one records when it last renewed its leases
 * ({@code <prefix>:instances}, instance id -> epoch millis, written by route renew-leases). An instance that has not
 * renewed for a lease is dead: its claims come back to the due sets. Entries older than an hour are dropped.
 */
@Component
public class FleetRegistry {

    static final long FORGET_AFTER_MILLIS = 3_600_000;

    /** One instance: when it last renewed its leases, and whether that is within one lease. */
    public record Instance(String id, Instant lastSeen, boolean alive) {}

    private final StringRedisTemplate redis;
    private final String key;
    private final String self;
    private final FleetClock clock;
    private final long leaseMillis;

    public FleetRegistry(StringRedisTemplate redis, ReminderKeys keys, InstanceId instanceId, FleetClock clock,
            ReminderProperties properties) {
        this.redis = redis;
        this.key = keys.instances();
        this.self = instanceId.value();
        this.clock = clock;
        this.leaseMillis = properties.dispatch().lease().toMillis();
    }

    private boolean trimmed;

    /**
     * Step renew-leases-heartbeat: this instance is alive. One ZADD per renewal, the only cost an idle instance pays;
     * the first one also forgets instances unseen for an hour (ids change with every restart).
     */
    public void heartbeat() {
        long now = clock.millis();
        redis.opsForZSet().add(key, self, now);
        if (!trimmed) {
            redis.opsForZSet().removeRangeByScore(key, Double.NEGATIVE_INFINITY, now - FORGET_AFTER_MILLIS);
            trimmed = true;
        }
    }

    /** The instances seen in the last hour, the latest first (those seen before are forgotten here). */
    public List<Instance> instances() {
        long now = clock.millis();
        redis.opsForZSet().removeRangeByScore(key, Double.NEGATIVE_INFINITY, now - FORGET_AFTER_MILLIS);
        List<Instance> instances = new ArrayList<>();
        var seen = redis.opsForZSet().reverseRangeWithScores(key, 0, 999);
        if (seen != null) {
            for (ZSetOperations.TypedTuple<String> entry : seen) {
                long at = entry.getScore() == null ? 0 : entry.getScore().longValue();
                instances.add(new Instance(entry.getValue(), Instant.ofEpochMilli(at), now - at <= leaseMillis));
            }
        }
        return instances;
    }
}
