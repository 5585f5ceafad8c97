package dev.reminderpush.bench;

import dev.reminderpush.store.ShardFunction;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;

/** Puts the same reminders into each system: through the bundle's batch API, or into the original design's queues. */
final class Loader {

    private Loader() {}

    /** Reminder {@code i}: user {@code users.apply(i)}, subject {@code "r" + i}, due {@code due.applyAsLong(i)}. */
    static void viaApi(int port, int count, IntFunction<String> users, IntToLongFunction due) throws Exception {
        viaApi(port, 0, count, users, due);
    }

    /** Reminders {@code first} to {@code first + count - 1}, as above (subjects stay unique across calls). */
    static void viaApi(int port, int first, int count, IntFunction<String> users, IntToLongFunction due) throws Exception {
        viaApi(port, first, count, users, due, null);
    }

    /** As above, on {@code channel} (null: the default channel). */
    static void viaApi(int port, int first, int count, IntFunction<String> users, IntToLongFunction due, String channel)
            throws Exception {
        viaApi(port, first, count, users, due, channel, null);
    }

    /** As above, in the priority lane {@code priority} (null: none given, normal). */
    static void viaApi(int port, int first, int count, IntFunction<String> users, IntToLongFunction due, String channel,
            String priority) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> posts = new ArrayList<>();
        for (int from = first; from < first + count; from += 10_000) {
            int start = from;
            int end = Math.min(first + count, from + 10_000);
            posts.add(pool.submit(() -> {
                StringBuilder body = new StringBuilder((end - start) * 120).append('[');
                for (int i = start; i < end; i++) {
                    body.append(i == start ? "" : ",").append("{\"userId\":\"").append(users.apply(i))
                            .append("\",\"subject\":\"r").append(i).append("\",\"dueAt\":").append(due.applyAsLong(i))
                            .append(",\"title\":\"Coupon\",\"body\":\"Your coupon can be claimed in one minute\"")
                            .append(channel == null ? "" : ",\"channel\":\"" + channel + "\"")
                            .append(priority == null ? "" : ",\"priority\":\"" + priority + "\"").append('}');
                }
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/api/reminders/batch"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200 || !response.body().contains("\"rejected\":0")) {
                    throw new IllegalStateException("batch load failed: " + response.statusCode() + " "
                            + response.body().substring(0, Math.min(300, response.body().length())));
                }
                return null;
            }));
        }
        for (Future<?> post : posts) {
            post.get();
        }
        pool.shutdown();
    }

    /** The original design's layout: one sorted set per queue, queue = shard of the user, member = reminder id. */
    static void intoOriginalQueues(String redisUri, int queues, int count, IntFunction<String> users, IntToLongFunction due) {
        ShardFunction shards = new ShardFunction(new dev.reminderpush.store.ShardLayout(1, queues, dev.reminderpush.store.ShardHash.CRC32, null, queues));
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> redis = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<Long>> pending = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String user = users.apply(i);
                pending.add(redis.zadd(OriginalDesign.queue(shards.shardOf(user)), due.applyAsLong(i), user + ":r" + i));
                if (pending.size() == 5_000) {
                    connection.flushCommands();
                    awaitAll(pending);
                }
            }
            connection.flushCommands();
            awaitAll(pending);
        } finally {
            client.shutdown();
        }
    }

    private static void awaitAll(List<RedisFuture<Long>> pending) {
        for (RedisFuture<Long> future : pending) {
            try {
                future.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        pending.clear();
    }
}
