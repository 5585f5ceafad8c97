package dev.reminderpush.testing;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Every key in Redis with its whole content, to assert that an operation wrote nothing. The shard layout record
 * and its tombstone are left out: each instance's layout watcher writes them back every second after a flush.
 */
public final class RedisSnapshot {

    private static final Set<String> LAYOUT_KEYS = Set.of("reminders:layout", "reminders:shard-count");

    private RedisSnapshot() {}

    /** The global keys of the shard layout: the layout record and the tombstone for releases before it. */
    public static boolean isLayoutKey(String key) {
        return LAYOUT_KEYS.contains(key);
    }

    public static Map<String, String> of(StringRedisTemplate redis) {
        Map<String, String> snapshot = new TreeMap<>();
        Set<String> keys = redis.keys("*");
        for (String key : keys) {
            if (LAYOUT_KEYS.contains(key)) {
                continue;
            }
            DataType type = redis.type(key);
            String content = switch (type) {
                case ZSET -> String.valueOf(redis.opsForZSet().rangeWithScores(key, 0, -1).stream()
                        .map(t -> t.getValue() + "=" + t.getScore()).toList());
                case HASH -> String.valueOf(new TreeMap<>(redis.opsForHash().entries(key)));
                case STRING -> redis.opsForValue().get(key);
                default -> type.name();
            };
            snapshot.put(key, content);
        }
        return snapshot;
    }
}
