package dev.reminderpush.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Refuses to start against a Redis whose reminders were written with another shard count: the users would
 * map to other shards and their reminders would be stranded. The first instance records its count.
 */
@Component
class ShardCountGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ShardCountGuard.class);

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final ShardFunction shards;

    ShardCountGuard(StringRedisTemplate redis, ReminderKeys keys, ShardFunction shards) {
        this.redis = redis;
        this.keys = keys;
        this.shards = shards;
    }

    @EventListener(ApplicationStartedEvent.class)
    void checkShardCount() {
        String marker = keys.shardCountMarker();
        String configured = Integer.toString(shards.shardCount());
        String recorded;
        try {
            redis.opsForValue().setIfAbsent(marker, configured);
            recorded = redis.opsForValue().get(marker);
        } catch (RuntimeException e) {
            LOG.warn("Could not check the shard count recorded in Redis ({}); starting anyway: {}", marker, e.getMessage());
            return;
        }
        if (!configured.equals(recorded)) {
            throw new IllegalStateException("reminders.shard-count is " + configured + " but the reminders in this Redis were "
                    + "written with " + recorded + " shards (key " + marker + "). Start with reminders.shard-count="
                    + recorded + ", or use another reminders.key-prefix for a fresh layout.");
        }
    }
}
