package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.MessageCenterServer;
import dev.reminderpush.testing.MessageCenterServer.Request;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Drill: the HTTP message center answers only after 5.5 s for 15 s, with the documented 5 s timeout. Each
 * attempt times out after 5 s and is retried; Kafka-channel reminders falling due meanwhile still go out
 * on time (the HTTP pool waiting on the center starves neither the poller nor the other channel); after
 * the center recovers every HTTP reminder is delivered, none dead-lettered. With the default threshold the
 * circuit opens after 20 failed attempts in a row and claiming resumes after the cool-down.
 */
class SlowMessageCenterTest extends IntegrationTest {

    static final int HTTP_REMINDERS = 40;
    static final int KAFKA_REMINDERS = 200;

    @Autowired
    ReminderStore store;

    @Test
    void slowCenterTimesOutRetriesAndDoesNotStarveThePoller() throws Exception {
        try (MessageCenterServer center = new MessageCenterServer();
                TopicReader reader = TopicReader.messageCenter()) {
            try (BundleInstance bundle = httpBundle(center, "reminders.delivery.circuit.failure-threshold", "1000")) {
                // warm up: the first Kafka send of an instance also fetches metadata
                store.schedule(List.of(new Reminder(new ReminderId("warm-up", "s"), Instant.now(), "t", "b", "kafka", null)));
                reader.readUntil(m -> reader.remindersReceived() >= 1, Duration.ofSeconds(30));
                long slowUntil = answerSlowly(center, 15_000);
                long now = System.currentTimeMillis();
                List<Reminder> reminders = new ArrayList<>();
                for (int i = 0; i < HTTP_REMINDERS; i++) {
                    reminders.add(new Reminder(new ReminderId("slow-" + i, "s"), Instant.ofEpochMilli(now + 1_000), "t", "b", null, null));
                }
                for (int i = 0; i < KAFKA_REMINDERS; i++) { // due while the HTTP attempts hang
                    reminders.add(new Reminder(new ReminderId("fast-" + i, "s"), Instant.ofEpochMilli(now + 4_000 + i * 20L),
                            "t", "b", "kafka", null));
                }
                store.schedule(reminders);

                List<Received> kafka = reader.readUntil(m -> reader.remindersReceived() >= KAFKA_REMINDERS + 1, Duration.ofSeconds(30));
                long worstLateness = kafka.stream().skip(1).mapToLong(m -> m.timestamp()
                        - Instant.parse(m.json().get("reminders").get(0).get("dueAt").asText()).toEpochMilli()).max().orElseThrow();
                assertThat(reader.remindersReceived()).isEqualTo(KAFKA_REMINDERS + 1);
                System.out.println("[drill] worst Kafka lateness while HTTP hangs: " + worstLateness + " ms");
                assertThat(worstLateness).as("ms late, worst Kafka reminder while HTTP attempts hang").isLessThan(1_500);

                Set<String> delivered = awaitHttp(center, slowUntil, Duration.ofSeconds(90));
                assertThat(delivered).hasSize(HTTP_REMINDERS);
                assertThat(redis.keys("reminders:{*}:dead")).isEmpty();

                // the same message was attempted again 5 s (the timeout) plus backoff after the first try, or later
                Map<String, List<Long>> attempts = center.requests().stream().collect(Collectors.groupingBy(
                        Request::idempotencyKey, Collectors.mapping(Request::receivedAt, Collectors.toList())));
                List<Long> gaps = attempts.values().stream().filter(times -> times.size() > 1)
                        .map(times -> times.get(1) - times.get(0)).toList();
                assertThat(gaps).as("messages attempted more than once").isNotEmpty();
                // never before the 5 s timeout; later when the message waited for one of the 32 HTTP threads
                assertThat(gaps).allSatisfy(gap -> assertThat(gap).isGreaterThanOrEqualTo(5_000L));
                assertThat(gaps.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(6_500L);
                DeliveryCircuit circuit = bundle.bean(DeliveryCircuit.class);
                assertThat(circuit.failedAttempts()).as("timed-out attempts").isGreaterThanOrEqualTo(HTTP_REMINDERS);
                assertThat(circuit.isOpen()).isFalse();
                System.out.println("[drill] slow center: " + circuit.failedAttempts() + " attempts timed out, "
                        + center.requests().size() + " requests, retry gaps " + gaps.stream().mapToLong(Long::longValue).min().orElseThrow()
                        + ".." + gaps.stream().mapToLong(Long::longValue).max().orElseThrow() + " ms");
            }
        }
    }

    @Test
    void withTheDefaultThresholdTheCircuitOpensThenClaimingResumes() throws Exception {
        try (MessageCenterServer center = new MessageCenterServer()) {
            long slowUntil = answerSlowly(center, 12_000);
            try (BundleInstance bundle = httpBundle(center, "reminders.delivery.circuit.cool-down", "5s")) {
                List<Reminder> reminders = new ArrayList<>();
                for (int i = 0; i < HTTP_REMINDERS; i++) {
                    reminders.add(new Reminder(new ReminderId("circuit-" + i, "s"), Instant.now().plusMillis(500), "t", "b", null, null));
                }
                store.schedule(reminders);
                DeliveryCircuit circuit = bundle.bean(DeliveryCircuit.class);
                long deadline = System.currentTimeMillis() + 20_000;
                while (!circuit.isOpen() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(circuit.isOpen()).as("open after 20 timed-out attempts in a row").isTrue();
                assertThat(awaitHttp(center, slowUntil, Duration.ofSeconds(90))).hasSize(HTTP_REMINDERS);
                assertThat(circuit.isOpen()).as("closed again after the cool-down").isFalse();
                assertThat(redis.keys("reminders:{*}:dead")).isEmpty();
            }
        }
    }

    /** Reminders in requests the center received after its slow phase, i.e. answered 200 at once. */
    private static Set<String> awaitHttp(MessageCenterServer center, long slowUntil, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        Set<String> delivered = new HashSet<>();
        while (delivered.size() < HTTP_REMINDERS && System.nanoTime() < deadline) {
            Thread.sleep(200);
            for (Request request : center.requests()) {
                if (request.receivedAt() >= slowUntil) {
                    request.json().get("reminders").forEach(r -> delivered.add(r.get("id").asText()));
                }
            }
        }
        return delivered;
    }

    /** A polling instance whose default channel is HTTP to {@code center}, with one more setting. */
    private static BundleInstance httpBundle(MessageCenterServer center, String key, String value) {
        return new BundleInstance(Map.of(
                "reminders.dispatch.enabled", "true",
                "reminders.dispatch.poll-interval", "200ms",
                "reminders.dispatch.merge-window", "0",
                "reminders.delivery.default-channel", "http",
                "reminders.delivery.http.url", center.url(),
                "reminders.delivery.retry.max-retries", "3",
                "reminders.delivery.retry.initial-delay", "200ms",
                key, value));
    }

    /** For the next {@code millis}, the center answers each request only after 5.5 s; returns when that ends. */
    private static long answerSlowly(MessageCenterServer center, long millis) {
        long slowUntil = System.currentTimeMillis() + millis;
        center.respondWith(request -> {
            if (request.receivedAt() < slowUntil) {
                sleep(5_500);
            }
            return 200;
        });
        return slowUntil;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
