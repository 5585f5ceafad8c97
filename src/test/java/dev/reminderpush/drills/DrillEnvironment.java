package dev.reminderpush.drills;

import dev.reminderpush.testing.Http;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToLongFunction;

/** Helpers the drills share: the bundle settings they run with, loading reminders, reading Redis. */
final class DrillEnvironment {

    static final int SHARDS = 16;

    private DrillEnvironment() {}

    /** Settings for a bundle process in a drill: the defaults, on the drill's Redis and Kafka. */
    static Map<String, String> bundleSettings(String instanceId, int redisPort, String kafka) {
        Map<String, String> settings = new HashMap<>();
        settings.put("spring.data.redis.host", "127.0.0.1");
        settings.put("spring.data.redis.port", Integer.toString(redisPort));
        settings.put("camel.component.kafka.brokers", kafka);
        settings.put("reminders.shard-count", Integer.toString(SHARDS));
        settings.put("reminders.dispatch.instance-id", instanceId);
        return settings;
    }

    /** Schedules reminders {@code from..to-1} (subject {@code r<i>}, user {@code u<i/2>}) through the batch API. */
    static Set<String> load(int port, int from, int to, long dueMillis) {
        return load(port, from, to, i -> dueMillis);
    }

    /** {@link #load(int, int, int, long)} with a due time per reminder. */
    static Set<String> load(int port, int from, int to, IntToLongFunction dueMillis) {
        Http http = new Http(port);
        Set<String> ids = new HashSet<>();
        for (int start = from; start < to; start += 10_000) {
            int end = Math.min(to, start + 10_000);
            StringBuilder body = new StringBuilder().append('[');
            for (int i = start; i < end; i++) {
                String user = "u" + i / 2;
                body.append(i == start ? "" : ",").append("{\"userId\":\"").append(user).append("\",\"subject\":\"r").append(i)
                        .append("\",\"dueAt\":").append(dueMillis.applyAsLong(i)).append(",\"title\":\"Coupon\",\"body\":\"Claim it now\"}");
                ids.add(user + ":r" + i);
            }
            HttpResponse<String> response = http.post("/api/reminders/batch", body.append(']').toString());
            if (response.statusCode() != 200 || !response.body().contains("\"rejected\":0")) {
                throw new IllegalStateException("batch load failed: " + response.statusCode() + " " + response.body());
            }
        }
        return ids;
    }

    /** Reminder ids whose live claim belongs to {@code instanceId} (claim ids are {@code <instance>:<n>}). */
    static Set<String> claimedBy(int redisPort, String instanceId) {
        return claimedBy(redisPort, instanceId, SHARDS);
    }

    /** {@link #claimedBy(int, String)} in the first {@code shards} shards. */
    static Set<String> claimedBy(int redisPort, String instanceId, int shards) {
        Set<String> ids = new HashSet<>();
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            for (int shard = 0; shard < shards; shard++) {
                connection.sync().hgetall("reminders:{" + shard + "}:claims").forEach((id, claim) -> {
                    if (claim.contains("|" + instanceId + ":")) {
                        ids.add(id);
                    }
                });
            }
        } finally {
            client.shutdown();
        }
        return ids;
    }

    /** The keys matching a pattern (KEYS: a drill's small Redis only). */
    static Set<String> keysOf(int redisPort, String pattern) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return new HashSet<>(connection.sync().keys(pattern));
        } finally {
            client.shutdown();
        }
    }

    static void flush(int redisPort) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().flushall();
        } finally {
            client.shutdown();
        }
    }
}
