package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.DeadLetterStore;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A user with many big reminders due together: 80 valid reminders of 15 KB each would merge into a 1.2 MB
 * message that Kafka (1 MB limit) refuses. Merged messages are split to fit; a record the broker refuses
 * as too large is a dead letter at once, not retried.
 */
class BigUserTest extends IntegrationTest {

    static final int REMINDERS = 80;

    @Autowired
    ReminderStore store;

    @Autowired
    DeadLetterStore deadLetters;

    List<Reminder> bigReminders(String user) {
        long due = System.currentTimeMillis() + 500;
        List<Reminder> reminders = new ArrayList<>();
        for (int i = 0; i < REMINDERS; i++) {
            reminders.add(new Reminder(new ReminderId(user, "s" + i), Instant.ofEpochMilli(due + i), "t",
                    ("\u4e2d" + i).repeat(15_000 / 4), null, null)); // ~15 KB of UTF-8 each
        }
        return reminders;
    }

    @Test
    void aBigUsersRemindersAreSplitIntoMessagesThatFit() {
        try (BundleInstance bundle = new BundleInstance(BundleInstance.dispatching("big-split",
                "reminders.delivery.max-reminders-per-message", "30"));
                TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(bigReminders("big-1"));
            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= REMINDERS, Duration.ofSeconds(30));
            List<String> ids = messages.stream().flatMap(m -> m.reminderIds().stream()).toList();
            assertThat(ids).hasSize(REMINDERS).doesNotHaveDuplicates();
            long limit = 900 * 1024;
            for (Received message : messages) {
                assertThat(message.json().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo((int) limit);
                assertThat(message.reminderIds()).hasSizeLessThanOrEqualTo(30);
            }
            assertThat(messages.size()).as("merged, but in parts").isBetween(2, REMINDERS / 2);
            assertThat(deadLetters.total()).isZero();
        }
    }

    @Test
    void aRecordKafkaRefusesAsTooLargeIsADeadLetterAtOnceAndTheRestOfItsBatchGoesOutOnce() {
        try (BundleInstance bundle = new BundleInstance(BundleInstance.dispatching("big-refused",
                "reminders.delivery.max-message-bytes", "5MB", "reminders.delivery.max-reminders-per-message", "1000",
                "reminders.delivery.retry.max-retries", "3", "reminders.delivery.retry.initial-delay", "1000ms"));
                TopicReader reader = TopicReader.messageCenter()) {
            List<Reminder> reminders = bigReminders("big-2");
            long due = reminders.get(0).dueAt().toEpochMilli();
            for (int i = 0; i < 50; i++) { // small ones in the same claims: one Kafka batch with the refused record
                reminders.add(new Reminder(new ReminderId("small-" + i, "s"), Instant.ofEpochMilli(due + i), "t", "b", null, null));
            }
            store.schedule(reminders);
            await().atMost(Duration.ofSeconds(15)).until(() -> deadLetters.total() == REMINDERS);
            reader.readUntil(m -> reader.remindersReceived() >= 50, Duration.ofSeconds(15));
            List<String> small = reader.readFor(Duration.ofSeconds(2)).stream().flatMap(m -> m.reminderIds().stream()).toList();
            assertThat(small).as("the records the broker took, once each").hasSize(50).doesNotHaveDuplicates()
                    .allMatch(id -> id.startsWith("small-"));
            DeadLetterStore.DeadLetter letter = deadLetters.list(null, 1).items().get(0);
            assertThat(letter.reason()).isEqualTo("rejected");
            assertThat(letter.attempts()).as("no retries").isEqualTo(1);
            assertThat(letter.error()).contains("RecordTooLarge");
            assertThat(bundle.bean(io.micrometer.core.instrument.MeterRegistry.class).find("reminders.delivery.retried").counter())
                    .satisfiesAnyOf(c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
        }
    }
}
