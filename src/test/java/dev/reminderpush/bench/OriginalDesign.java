package dev.reminderpush.bench;

import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.Limit;
import io.lettuce.core.RedisClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The design reminder-push replaces, reimplemented faithfully for comparison (benchmark sources only):
 * every "server" runs a 1-second timer; each tick takes {@code INCR counter mod queues} to pick one queue,
 * reads up to 2000 entries due by now ({@code ZRANGEBYSCORE ... LIMIT 0 2000}), removes them with
 * {@code ZREM}, and publishes each one to Kafka asynchronously. No lease, no acknowledgement, no merging.
 * (The published code asked for score == this exact second; this version takes everything due by now,
 * which is kinder to the original.)
 */
final class OriginalDesign implements AutoCloseable {

    static final String COUNTER = "original:sqik";
    static final int PULL = 2000;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final KafkaProducer<String, String> producer;
    private final ScheduledExecutorService servers;
    private final int queues;
    private final String topic;

    static String queue(int index) {
        return "original:sqk_" + index;
    }

    OriginalDesign(String redisUri, String kafka, String topic, int queues, int serverCount) {
        this.client = RedisClient.create(redisUri);
        this.connection = client.connect();
        this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka, "acks", "all", "linger.ms", "5"),
                new StringSerializer(), new StringSerializer());
        this.queues = queues;
        this.topic = topic;
        this.servers = Executors.newScheduledThreadPool(serverCount);
        for (int s = 0; s < serverCount; s++) {
            servers.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
        }
    }

    private void tick() {
        RedisCommands<String, String> redis = connection.sync();
        String queue = queue((int) Math.floorMod(redis.incr(COUNTER), (long) queues));
        long now = System.currentTimeMillis();
        List<ScoredValue<String>> due = redis.zrangebyscoreWithScores(queue, Range.create(Double.NEGATIVE_INFINITY, now),
                Limit.create(0, PULL));
        if (due.isEmpty()) {
            return;
        }
        redis.zrem(queue, due.stream().map(ScoredValue::getValue).toArray(String[]::new));
        for (ScoredValue<String> entry : due) {
            String id = entry.getValue();
            String user = id.substring(0, id.indexOf(':'));
            producer.send(new ProducerRecord<>(topic, user, "{\"userId\":\"" + user + "\",\"reminders\":[{\"id\":\"" + id
                    + "\",\"dueAt\":" + (long) entry.getScore() + "}]}"));
        }
    }

    @Override
    public void close() throws InterruptedException {
        servers.shutdownNow();
        servers.awaitTermination(10, TimeUnit.SECONDS);
        producer.close();
        connection.close();
        client.shutdown();
    }
}
