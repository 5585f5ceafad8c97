package dev.reminderpush.testing;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Every key in Redis with its whole content, to assert that an operation wrote nothing. */
public final class RedisSnapshot {

    private RedisSnapshot() {}

    public static Map<String, String> of(StringRedisTemplate redis) {
        Map<String, String> snapshot = new TreeMap<>();
        Set<String> keys = redis.keys("*");
        for (String key : keys) {
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
