package dev.reminderpush.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.BundleProcess;
import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.TestInfrastructure;
import dev.reminderpush.testing.TopicReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Redis (AOF, appendfsync always) is stopped for 5 s and started again while producers schedule reminders
 * one by one and the bundle drains them: every reminder the API acknowledged (200/201) is delivered, the
 * others got 503, readiness goes down and comes back, and the bundle reconnects by itself.
 */
class RedisRestartDrillIT {

    @Test
    void redisRestartsInTheMiddleOfSchedulingAndDraining() throws Exception {
        EmbeddedRedis redis = new EmbeddedRedis(TestInfrastructure.freePort(), true).start();
        EmbeddedKafka kafka = new EmbeddedKafka(0).start();
        Map<String, String> settings = DrillEnvironment.bundleSettings("drill-r", redis.port(), kafka.bootstrapServers());
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "message-center-push");
                BundleProcess bundle = new BundleProcess("drills", "redis-restart", TestInfrastructure.freePort(), settings)) {
            bundle.awaitReady(Duration.ofSeconds(90));
            Http http = new Http(bundle.port());
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicReference<String> unexpected = new AtomicReference<>();
            AtomicInteger next = new AtomicInteger();
            long stopProducingAt = System.currentTimeMillis() + 20_000;
            ExecutorService producers = Executors.newFixedThreadPool(2);
            Runnable produce = () -> {
                while (System.currentTimeMillis() < stopProducingAt && unexpected.get() == null) {
                    int i = next.getAndIncrement();
                    String user = "p" + i % 5_000;
                    String due = Instant.now().plusMillis(1_000 + i % 4_000).toString();
                    HttpResponse<String> response = http.put("/api/reminders/" + user + "/s" + i,
                            "{\"dueAt\":\"" + due + "\",\"title\":\"t\",\"body\":\"b\"}");
                    switch (response.statusCode()) {
                        case 200, 201 -> acknowledged.add(user + ":s" + i);
                        case 503 -> unavailable.incrementAndGet();
                        default -> unexpected.set(response.statusCode() + " " + response.body());
                    }
                }
            };
            Future<?> a = producers.submit(produce);
            Future<?> b = producers.submit(produce);

            Thread.sleep(6_000);
            int acknowledgedBeforeStop = acknowledged.size();
            redis.stop();
            long stopped = System.currentTimeMillis();
            long notReadyAfter = awaitReadiness(http, 503, Duration.ofSeconds(20)) - stopped;
            Thread.sleep(Math.max(0, stopped + 5_000 - System.currentTimeMillis()));
            redis.start();
            long restarted = System.currentTimeMillis();
            long readyAgainAfter = awaitReadiness(http, 200, Duration.ofSeconds(60)) - restarted;
            a.get();
            b.get();
            producers.shutdown();
            assertThat(unexpected.get()).as("an answer other than 200/201/503").isNull();

            Set<String> seen = new HashSet<>();
            int[] counted = {0};
            Deliveries deliveries = new Deliveries(reader.readUntil(received -> {
                for (; counted[0] < received.size(); counted[0]++) {
                    seen.addAll(received.get(counted[0]).reminderIds());
                }
                return seen.containsAll(acknowledged);
            }, Duration.ofSeconds(90)));
            DrillFigures.record("Redis restart (AOF always)", acknowledged.size() + " acknowledged by the API ("
                    + acknowledgedBeforeStop + " before the stop), " + unavailable.get() + " answered 503 while Redis was down, "
                    + "readiness 503 after " + notReadyAfter + " ms, ready again " + readyAgainAfter + " ms after the restart, "
                    + "lost " + deliveries.missingOf(acknowledged).size() + ", duplicates " + deliveries.duplicated().size()
                    + " (same messageId: " + deliveries.duplicatedWithDifferentMessageIds().isEmpty() + ")");
            assertThat(unavailable.get()).as("producers saw the outage").isPositive();
            assertThat(acknowledged.size()).as("producers went on after the restart").isGreaterThan(acknowledgedBeforeStop + 100);
            assertThat(deliveries.missingOf(acknowledged)).as("acknowledged but never delivered").isEmpty();
            assertThat(deliveries.duplicatedWithDifferentMessageIds()).isEmpty();
        } finally {
            kafka.stop();
            redis.stop();
        }
    }

    /** Polls readiness until it answers {@code status}; returns when. */
    private static long awaitReadiness(Http http, int status, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (http.get("/actuator/health/readiness").statusCode() == status) {
                return System.currentTimeMillis();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("readiness did not answer " + status + " within " + atMost);
    }
}
