package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.MessageCenterServer;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Several bundle instances on one Redis. The test's own context only schedules (its poller is off);
 * the instances that dispatch are started here as separate Spring and Camel contexts.
 */
class MultiInstanceTest extends IntegrationTest {

    @Autowired
    ReminderStore store;

    static Reminder reminder(String user, String subject, long due) {
        return new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(due), "t", "b", null, null);
    }

    /** What the instance counted in its own reminders.claimed metric. */
    static double claimed(BundleInstance instance) {
        return instance.bean(io.micrometer.core.instrument.MeterRegistry.class).get("reminders.claimed").counter().count();
    }

    long inflight() {
        return redis.keys("reminders:{*}:inflight").stream().mapToLong(k -> redis.opsForZSet().size(k)).sum();
    }

    @Test
    void twoInstancesShareTheShardsAndDeliverEachReminderOnce() {
        try (BundleInstance a = new BundleInstance(BundleInstance.dispatching("inst-a", "reminders.dispatch.merge-window", "0"));
                BundleInstance b = new BundleInstance(BundleInstance.dispatching("inst-b", "reminders.dispatch.merge-window", "0"));
                TopicReader reader = TopicReader.messageCenter()) {
            long due = System.currentTimeMillis() + 1_500;
            List<Reminder> reminders = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                reminders.add(reminder("two-" + (i % 3_000), "s" + i, due + (i % 1_000)));
            }
            store.schedule(reminders);

            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 10_000, Duration.ofSeconds(60));
            messages = reader.readFor(Duration.ofSeconds(2));
            List<String> ids = messages.stream().flatMap(m -> m.reminderIds().stream()).toList();
            assertThat(ids).hasSize(10_000).doesNotHaveDuplicates();
            assertThat(claimed(a)).isPositive();
            assertThat(claimed(b)).isPositive();
            assertThat(claimed(a) + claimed(b)).isEqualTo(10_000.0);
        }
    }

    /**
     * An instance claims reminders and dies before sending or acknowledging them. Nothing is lost: once
     * the lease expires, another instance delivers every one of them, once.
     */
    @Test
    void remindersOfACrashedInstanceAreDeliveredByAnotherAfterTheLease() throws Exception {
        long lease = 4_000;
        try (BundleInstance doomed = new BundleInstance(BundleInstance.dispatching("doomed", "reminders.dispatch.lease", lease + "ms", "reminders.dispatch.lease-renewal", "1s",
                "reminders.dispatch.merge-window", "0"));
                TopicReader reader = TopicReader.messageCenter()) {
            // it "dies" right after claiming: nothing is sent, nothing acknowledged
            AdviceWith.adviceWith(doomed.camel(), "deliver", route ->
                    route.weaveById("to-channel").replace().process(exchange -> exchange.setRouteStop(true)));
            AdviceWith.adviceWith(doomed.camel(), "deliver-kafka-batch", route ->
                    route.weaveById("to-message-center-kafka-batch").replace().process(exchange -> exchange.setRouteStop(true)));
            long due = System.currentTimeMillis();
            List<Reminder> reminders = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                reminders.add(reminder("crash-" + i, "s", due));
            }
            store.schedule(reminders);
            await().atMost(Duration.ofSeconds(20)).until(() -> inflight() == 300);
            long claimedAt = System.currentTimeMillis();
            doomed.stopDispatching(); // a dead instance claims and renews nothing

            try (BundleInstance survivor = new BundleInstance(BundleInstance.dispatching("survivor"))) {
                List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 300, Duration.ofSeconds(60));
                messages = reader.readFor(Duration.ofSeconds(1));
                assertThat(messages.stream().flatMap(m -> m.reminderIds().stream()).toList())
                        .hasSize(300).doesNotHaveDuplicates();
                assertThat(messages).allSatisfy(m -> assertThat(m.timestamp()).isGreaterThanOrEqualTo(claimedAt + lease - 500));
                assertThat(claimed(survivor)).isEqualTo(300.0);
            }
        }
    }

    /**
     * The merge buffer is memory only: an instance holding a reminder for a sibling and then dying
     * loses nothing, because the held reminder is in flight under its lease.
     */
    @Test
    void reminderHeldForMergingSurvivesItsInstanceCrashing() throws Exception {
        long lease = 6_000;
        try (BundleInstance doomed = new BundleInstance(BundleInstance.dispatching("doomed-merge", "reminders.dispatch.lease", lease + "ms", "reminders.dispatch.lease-renewal", "1s",
                "reminders.dispatch.merge-window", "3s"));
                TopicReader reader = TopicReader.messageCenter()) {
            long now = System.currentTimeMillis();
            store.schedule(List.of(reminder("held", "first", now), reminder("held", "sibling", now + 2_000)));
            await().atMost(Duration.ofSeconds(10)).until(() -> doomed.bean(Dispatcher.class).waitingForSiblings() == 1);
            doomed.stopDispatching(); // dies holding "first"

            try (BundleInstance survivor = new BundleInstance(BundleInstance.dispatching("survivor-merge"))) {
                List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 2, Duration.ofSeconds(60));
                messages = reader.readFor(Duration.ofSeconds(1));
                assertThat(messages.stream().flatMap(m -> m.reminderIds().stream()).toList())
                        .containsExactlyInAnyOrder("held:first", "held:sibling");
            }
        }
    }

    /** A graceful stop does not make held reminders wait for their lease: they go straight back to due. */
    @Test
    void gracefulShutdownGivesHeldRemindersBack() {
        long now = System.currentTimeMillis();
        try (BundleInstance instance = new BundleInstance(BundleInstance.dispatching("graceful", "reminders.dispatch.merge-window", "5s"))) {
            store.schedule(List.of(reminder("graceful", "first", now), reminder("graceful", "sibling", now + 4_000)));
            await().atMost(Duration.ofSeconds(10)).until(() -> instance.bean(Dispatcher.class).waitingForSiblings() == 1);
        }
        assertThat(inflight()).isZero();
        assertThat(redis.keys("reminders:{*}:due").stream().flatMap(k -> redis.opsForZSet().range(k, 0, -1).stream()))
                .containsExactlyInAnyOrder("graceful:first", "graceful:sibling");
    }

    /**
     * A graceful stop does not leave messages that wait for a retry to their lease either: once the stop's
     * grace is over they are back in due, and another instance delivers them.
     */
    @Test
    void gracefulShutdownGivesBackMessagesWaitingForARetry() {
        try (MessageCenterServer center = new MessageCenterServer()) {
            center.respondWith(request -> 503);
            try (BundleInstance instance = new BundleInstance(BundleInstance.dispatching("graceful-retry",
                    "reminders.delivery.http.url", center.url(), "reminders.delivery.retry.max-retries", "8",
                    "reminders.delivery.retry.initial-delay", "20000ms"))) {
                List<Reminder> reminders = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    reminders.add(new Reminder(new ReminderId("retrying-" + i, "s"), Instant.now(), "t", "b", "http", null));
                }
                store.schedule(reminders);
                await().atMost(Duration.ofSeconds(10)).until(() -> center.requests().size() == 10); // all wait 20 s now
            }
            assertThat(inflight()).isZero();
            assertThat(redis.keys("reminders:{*}:due").stream().mapToLong(k -> redis.opsForZSet().size(k)).sum()).isEqualTo(10);
            assertThat(redis.keys("reminders:{*}:dead-at")).isEmpty();
        }
    }
}
