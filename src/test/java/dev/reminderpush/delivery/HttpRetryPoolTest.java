package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.DeadLetterStore;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.MessageCenterServer;
import dev.reminderpush.testing.MessageCenterServer.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Retried HTTP calls block the thread that runs them. They run on the HTTP channel's own retry pool, one
 * thread per concurrent call, so 40 retries against a center that takes 1 s per answer finish in a few
 * seconds instead of queueing behind a couple of threads (20 s), and never behind another channel's retries.
 */
class HttpRetryPoolTest extends IntegrationTest {

    static final int MESSAGES = 40;

    @Autowired
    ReminderStore store;

    @Autowired
    DeadLetterStore deadLetters;

    @Test
    void retriesOfASlowCenterRunInParallel() {
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        try (MessageCenterServer center = new MessageCenterServer()) {
            center.respondWith(request -> {
                if (failedOnce.add(request.idempotencyKey())) {
                    return 503; // the first attempt of every message fails at once
                }
                try {
                    Thread.sleep(1_000); // every retry takes a second
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 200;
            });
            try (BundleInstance bundle = new BundleInstance(BundleInstance.dispatching("http-retries",
                    "reminders.delivery.http.url", center.url(), "reminders.delivery.http.timeout", "5000ms",
                    "reminders.delivery.retry.max-retries", "2", "reminders.delivery.retry.initial-delay", "100ms",
                    // 40 first attempts fail on purpose; the circuit (20 in a row) is not what this test is about
                    "reminders.delivery.circuit.failure-threshold", "1000"))) {
                List<Reminder> reminders = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    reminders.add(new Reminder(new ReminderId("retry-" + i, "s"), Instant.now(), "t", "b", "http", null));
                }
                store.schedule(reminders);
                await().atMost(Duration.ofSeconds(10)).until(() -> failedOnce.size() == MESSAGES);
                long firstFailures = System.currentTimeMillis();

                await().atMost(Duration.ofSeconds(30)).until(() -> center.requests().size() >= 2 * MESSAGES
                        && reminders.stream().allMatch(r -> store.find(r.id()).isEmpty()));
                long allDelivered = System.currentTimeMillis() - firstFailures;
                System.out.println("[drill] 40 HTTP retries of 1 s each delivered " + allDelivered + " ms after the first failures");
                assertThat(allDelivered).as("ms for 40 one-second retries: in parallel, not two at a time").isLessThan(8_000);
                assertThat(center.requests().stream().collect(Collectors.groupingBy(Request::idempotencyKey, Collectors.counting())))
                        .hasSize(MESSAGES).allSatisfy((key, count) -> assertThat(count).isEqualTo(2L));
                assertThat(deadLetters.total()).isZero();
            }
        }
    }
}
