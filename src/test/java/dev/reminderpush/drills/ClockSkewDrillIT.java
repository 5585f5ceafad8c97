package dev.reminderpush.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.testing.BundleProcess;
import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.TestInfrastructure;
import dev.reminderpush.testing.TopicReader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged bundle as its own process with its clock 5 s ahead (a host whose NTP is broken): it sends
 * nothing before it is due and takes no other instance's lease before that lease ends, because Redis time
 * decides both.
 */
class ClockSkewDrillIT {

    static final Duration SKEW = Duration.ofSeconds(5);
    static final int REMINDERS = 2_000;

    static EmbeddedRedis redis;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void infrastructure() {
        redis = new EmbeddedRedis(TestInfrastructure.freePort()).start();
        kafka = new EmbeddedKafka(0).start();
    }

    @AfterAll
    static void stopInfrastructure() {
        kafka.stop();
        redis.stop();
    }

    @Test
    void anInstanceFiveSecondsAheadSendsNothingEarlyAndStealsNoLease() throws Exception {
        DrillEnvironment.flush(redis.port());
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
        try (StatefulRedisConnection<String, String> connection = client.connect();
                TopicReader reader = new TopicReader(kafka.bootstrapServers(), "message-center-push");
                BundleProcess bundle = BundleProcess.withClockSkew("drills", "clock-skew", TestInfrastructure.freePort(),
                        DrillEnvironment.bundleSettings("skewed", redis.port(), kafka.bootstrapServers()), SKEW)) {
            bundle.awaitReady(Duration.ofSeconds(90));
            RedisCommands<String, String> cmd = connection.sync();

            // another instance's claim whose lease ends 4 s from now (Redis time)
            int shard = new ShardFunction(DrillEnvironment.SHARDS).shardOf("held");
            String prefix = "reminders:{" + shard + "}:";
            long now = redisNow(cmd);
            long leaseEnds = now + 4_000;
            cmd.hset(prefix + "payload", "held:x", "1|" + (now - 10) + "||" + now + "|{\"title\":\"t\",\"body\":\"b\"}");
            cmd.zadd(prefix + "inflight", leaseEnds, "held:x");
            cmd.hset(prefix + "claims", "held:x", "1|other:1");
            Thread.sleep(2_500); // the skewed reaper (every second) sees this lease as expired by its own clock
            String claimAfter = cmd.hget(prefix + "claims", "held:x");

            long due = redisNow(cmd) + 8_000;
            Set<String> ids = DrillEnvironment.load(bundle.port(), 0, REMINDERS, due);
            List<TopicReader.Received> messages = reader.readUntil(m -> reader.remindersReceived() >= REMINDERS + 1,
                    Duration.ofSeconds(60));
            long early = 0;
            long heldAt = -1;
            for (TopicReader.Received message : messages) {
                for (String id : message.reminderIds()) {
                    if (id.equals("held:x")) {
                        heldAt = message.timestamp();
                    } else if (message.timestamp() < due
                            || Instant.parse(message.json().get("sentAt").asText()).toEpochMilli() < due) {
                        early++;
                    }
                }
            }
            Deliveries deliveries = new Deliveries(messages);
            DrillFigures.record("clock 5 s ahead (the jar as a process)", REMINDERS + " scheduled, "
                    + deliveries.distinct() + " delivered, early " + early + "; another instance's lease kept: "
                    + "1|other:1".equals(claimAfter) + ", taken over " + (heldAt - leaseEnds) + " ms after it ended");
            assertThat(claimAfter).as("lease taken before it ended").isEqualTo("1|other:1");
            assertThat(deliveries.missingOf(ids)).isEmpty();
            assertThat(early).as("reminders sent before due").isZero();
            assertThat(heldAt).as("the held reminder, delivered after its lease ended").isGreaterThanOrEqualTo(leaseEnds - 50);
        } finally {
            client.shutdown();
        }
    }

    private static long redisNow(RedisCommands<String, String> cmd) {
        List<String> time = cmd.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }
}
