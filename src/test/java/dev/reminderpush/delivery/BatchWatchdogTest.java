package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A Kafka batch exchange that never finishes (camel-kafka can lose count of a batch's callbacks, a race we
 * cannot cause on purpose, so the send step is replaced by a 60 s wait) strands nothing: after the delivery
 * timeout and a margin the watchdog sends the batch's records alone, they arrive once each, nothing stays in
 * flight, and the late end of the batch exchange changes nothing.
 */
class BatchWatchdogTest extends IntegrationTest {

    @Autowired
    ReminderStore store;

    @Test
    void aBatchThatNeverFinishesIsSentAloneAfterTheDeliveryTimeout() throws Exception {
        try (BundleInstance instance = new BundleInstance(BundleInstance.dispatching("watchdog",
                "reminders.delivery.kafka.timeout", "1500ms", "reminders.delivery.kafka.request-timeout", "1000ms"));
                TopicReader reader = TopicReader.messageCenter()) {
            AdviceWith.adviceWith(instance.camel(), "deliver-kafka-batch", route ->
                    route.weaveById("to-message-center-kafka-batch").replace().delay(60_000).asyncDelayed());
            long due = scheduleDueNow("stuck-", 200);

            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 200, Duration.ofSeconds(30));
            messages = reader.readFor(Duration.ofSeconds(1));

            assertThat(messages.stream().flatMap(m -> m.reminderIds().stream()).toList()).hasSize(200).doesNotHaveDuplicates();
            assertThat(messages).allSatisfy(m -> assertThat(m.timestamp()).as("after the watchdog's patience")
                    .isGreaterThanOrEqualTo(due + 1_500 + 5_000));
            DeliveryGateway gateway = instance.bean(DeliveryGateway.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.inFlight() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.keys("reminders:{*}:inflight").stream()
                    .mapToLong(k -> redis.opsForZSet().size(k)).sum() == 0);
        }
    }

    /**
     * A deliver-kafka-batch route that does not send through kafkaBatchSender (a routes/ directory from an older
     * version, camel-kafka's list mode: here a step that sends nothing) cannot tell what reached the broker: its
     * messages are not sent alone (that could send each twice) but left to their leases, and nothing is lost.
     */
    @Test
    void aBatchRouteWithoutTheSenderLeavesItsMessagesToTheirLeases() throws Exception {
        try (BundleInstance instance = new BundleInstance(BundleInstance.dispatching("old-routes",
                "reminders.dispatch.lease", "4s", "reminders.dispatch.lease-renewal", "1s"));
                TopicReader reader = TopicReader.messageCenter()) {
            AdviceWith.adviceWith(instance.camel(), "deliver-kafka-batch", route ->
                    route.weaveById("to-message-center-kafka-batch").replace().log("an old batch step"));
            scheduleDueNow("old-", 50);

            DeliveryGateway gateway = instance.bean(DeliveryGateway.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.keys("reminders:{*}:inflight").stream()
                    .mapToLong(k -> redis.opsForZSet().size(k)).sum() == 50);
            assertThat(reader.readFor(Duration.ofSeconds(2))).as("not sent alone").isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.inFlight() == 0);
            assertThat(redis.keys("reminders:{*}:payload").stream().mapToLong(k -> redis.opsForHash().size(k)).sum())
                    .as("still stored, to come back after the lease").isEqualTo(50);
        }
    }

    /** {@code count} reminders of users {@code prefix}0, 1, ... due now; returns the due time. */
    private long scheduleDueNow(String prefix, int count) {
        long due = System.currentTimeMillis();
        List<Reminder> reminders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            reminders.add(new Reminder(new ReminderId(prefix + i, "s"), Instant.ofEpochMilli(due), "Coupon",
                    "Your coupon can be claimed in one minute", null, null));
        }
        store.schedule(reminders);
        return due;
    }
}
