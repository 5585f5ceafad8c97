package dev.reminderpush.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.BundleProcess;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.KafkaProcess;
import dev.reminderpush.testing.TestInfrastructure;
import dev.reminderpush.testing.TopicReader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The message center's Kafka broker (a real broker process) is stopped for 30 s in the middle of a drain
 * and started again, with the bundle on its default retry, lease and circuit settings: nothing is
 * dead-lettered and everything is delivered after the broker returns.
 */
class KafkaOutageDrillIT {

    static final int REMINDERS = 20_000;
    static final long OUTAGE_MILLIS = 30_000;

    @Test
    void brokerDownForThirtySecondsMidDrain() throws Exception {
        EmbeddedRedis redis = new EmbeddedRedis(TestInfrastructure.freePort()).start();
        try (KafkaProcess kafka = new KafkaProcess("kafka-outage-broker").start()) {
            Map<String, String> settings = DrillEnvironment.bundleSettings("drill-k", redis.port(), kafka.bootstrapServers());
            // the defaults: 10 s lease renewed every 3 s while held, 8 retries from 200 ms doubling to 10 s, 5 s per
            // Kafka attempt: the retries outlast the lease many times over, the renewals keep every claim
            settings.keySet().removeIf(key -> key.startsWith("reminders.delivery.") || key.startsWith("reminders.dispatch.lease"));
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "message-center-push");
                    BundleProcess bundle = new BundleProcess("drills", "kafka-outage", TestInfrastructure.freePort(), settings)) {
                bundle.awaitReady(Duration.ofSeconds(90));
                Set<String> scheduled = DrillEnvironment.load(bundle.port(), 0, REMINDERS, System.currentTimeMillis() + 3_000);
                reader.readUntil(r -> reader.remindersReceived() >= 2_000, Duration.ofSeconds(60));
                long seenAtStop = reader.remindersReceived();
                kafka.stop();
                long stopped = System.currentTimeMillis();
                DrillFigures.progress("broker stopped after " + seenAtStop + " reminders seen");
                assertThat(seenAtStop).as("stopped in the middle of draining").isLessThan(REMINDERS);
                Thread.sleep(Math.max(0, stopped + OUTAGE_MILLIS - System.currentTimeMillis()));
                kafka.start();
                long back = System.currentTimeMillis();
                DrillFigures.progress("broker back after " + (back - stopped) + " ms");

                Set<String> seen = new HashSet<>();
                int[] counted = {0};
                reader.readUntil(received -> {
                    for (; counted[0] < received.size(); counted[0]++) {
                        seen.addAll(received.get(counted[0]).reminderIds());
                    }
                    return seen.size() >= scheduled.size();
                }, Duration.ofSeconds(150));
                long allDelivered = System.currentTimeMillis();
                Deliveries deliveries = new Deliveries(reader.readFor(Duration.ofSeconds(3)));
                long deadLetters = deadLetters(redis.port());
                DrillFigures.record("Kafka broker down 30 s mid-drain (default retry settings)", scheduled.size()
                        + " scheduled, broker stopped after " + seenAtStop + " seen, down " + (back - stopped) + " ms, "
                        + deliveries.distinct() + " delivered, all of them " + (allDelivered - back)
                        + " ms after the broker was back, lost " + deliveries.missingOf(scheduled).size() + ", dead-lettered "
                        + deadLetters + ", duplicates " + deliveries.duplicated().size() + " (same messageId: "
                        + deliveries.duplicatedWithDifferentMessageIds().isEmpty() + ")");
                assertThat(deliveries.missingOf(scheduled)).as("lost reminders").isEmpty();
                assertThat(deadLetters).as("dead letters for a transient outage").isZero();
                assertThat(allDelivered - back).as("ms until all delivered after the broker was back (no lease waits)")
                        .isLessThan(30_000);
                assertThat(deliveries.duplicatedWithDifferentMessageIds()).isEmpty();
            }
        } finally {
            redis.stop();
        }
    }

    private static long deadLetters(int redisPort) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            long total = 0;
            for (int shard = 0; shard < DrillEnvironment.SHARDS; shard++) {
                total += connection.sync().zcard("reminders:{" + shard + "}:dead-at");
            }
            return total;
        } finally {
            client.shutdown();
        }
    }
}
