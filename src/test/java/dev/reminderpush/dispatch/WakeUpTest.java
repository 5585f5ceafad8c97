package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dispatcher wakes up when something falls due, not at its next poll tick: here the poll runs once a
 * minute (once at start), so everything these tests see delivered within seconds came by a wake-up, planned
 * from a nudge of the write path or from what a claim learnt about the shard's next due time.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WakeUpTest extends IntegrationTest {

    @DynamicPropertySource
    static void rarePolling(DynamicPropertyRegistry registry) {
        registry.add("reminders.dispatch.enabled", () -> "true");
        registry.add("reminders.dispatch.poll-interval", () -> "60000ms");
        registry.add("reminders.dispatch.reaper-interval", () -> "60000ms");
        registry.add("reminders.dispatch.merge-window", () -> "1s");
    }

    @Autowired
    ReminderStore store;

    @Autowired
    ShardFunction shards;

    static Reminder reminder(String user, String subject, long dueMillis) {
        return new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(dueMillis), "Coupon " + subject,
                "Your coupon can be claimed in one minute", null, null);
    }

    @Test
    void aReminderScheduledAfterThePollTickIsDeliveredAtItsDueTimeNotAtTheNextTick() {
        long due = System.currentTimeMillis() + 1_500;
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(List.of(reminder("wake-1", "coupon", due)));

            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 1, Duration.ofSeconds(20));

            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).reminderIds()).containsExactly("wake-1:coupon");
            assertThat(messages.get(0).timestamp()).as("never early").isGreaterThanOrEqualTo(due);
        }
    }

    /**
     * The later reminder is scheduled first (the wake-up is planned for it), then an earlier one of the same
     * shard: the nudge brings the wake-up forward, and the claim of the earlier one tells the dispatcher when
     * the later one falls due.
     */
    @Test
    void anEarlierReminderBringsTheWakeUpForwardAndTheLaterOneStillComesOnTime() {
        long now = System.currentTimeMillis();
        long later = now + 5_000;
        long earlier = now + 1_500;
        String laterUser = "wake-later";
        String earlierUser = neighbourOf(laterUser);
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(List.of(reminder(laterUser, "b", later)));
            store.schedule(List.of(reminder(earlierUser, "a", earlier)));

            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 2, Duration.ofSeconds(25));

            assertThat(messages).hasSize(2);
            Received first = messages.get(0);
            Received second = messages.get(1);
            assertThat(first.key()).isEqualTo(earlierUser);
            assertThat(first.timestamp()).as("never early").isGreaterThanOrEqualTo(earlier)
                    .as("woken for the earlier one, not for the later").isLessThan(later);
            assertThat(second.key()).isEqualTo(laterUser);
            assertThat(second.timestamp()).as("never early").isGreaterThanOrEqualTo(later);
        }
    }

    @Test
    void remindersOfOneUserWithinTheMergeWindowStillLeaveAsOneMessage() {
        long due = System.currentTimeMillis() + 1_500;
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(List.of(reminder("wake-merge", "a", due), reminder("wake-merge", "b", due + 600)));

            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 2, Duration.ofSeconds(20));
            messages = reader.readFor(Duration.ofMillis(500));

            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).reminderIds()).containsExactlyInAnyOrder("wake-merge:a", "wake-merge:b");
            assertThat(messages.get(0).timestamp()).isGreaterThanOrEqualTo(due + 600);
        }
    }

    /** A user id of the same shard as {@code user}. */
    private String neighbourOf(String user) {
        int shard = shards.shardOf(user);
        for (int i = 0; ; i++) {
            String candidate = "wake-earlier-" + i;
            if (shards.shardOf(candidate) == shard) {
                return candidate;
            }
        }
    }
}
