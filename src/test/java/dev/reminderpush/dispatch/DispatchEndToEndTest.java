package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class DispatchEndToEndTest extends DispatchTest {

    static final long WINDOW = 1000;

    @Autowired
    ReminderStore store;

    Reminder reminder(String user, String subject, long dueMillis) {
        return new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(dueMillis), "Coupon " + subject,
                "Your coupon can be claimed in one minute", null, null);
    }

    /**
     * 10,000 reminders for 2,000 users, due over the next seconds: each arrives exactly once, never early,
     * and a user's reminders are merged exactly as the README specifies: a message opens with the
     * earliest reminder not yet sent and takes every reminder of that user due within the merge window
     * after it.
     */
    @Test
    void everyReminderArrivesOnceMergedPerUserAndNeverEarly() {
        Random random = new Random(42);
        long base = System.currentTimeMillis() + 2_000;
        Map<String, List<Long>> duesByUser = new HashMap<>();
        Map<String, Long> dueById = new HashMap<>();
        List<Reminder> reminders = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String user = "e2e-" + (i % 2_000);
            long due = base + random.nextInt(4_000);
            Reminder r = reminder(user, "s" + i, due);
            reminders.add(r);
            duesByUser.computeIfAbsent(user, u -> new ArrayList<>()).add(due);
            dueById.put(r.id().toString(), due);
        }
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(reminders);
            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 10_000, Duration.ofSeconds(60));
            messages = reader.readFor(Duration.ofMillis(1500)); // anything extra (a duplicate) would show up now

            List<String> delivered = messages.stream().flatMap(m -> m.reminderIds().stream()).toList();
            assertThat(delivered).hasSize(10_000).doesNotHaveDuplicates();
            assertThat(new HashSet<>(delivered)).isEqualTo(dueById.keySet());

            for (Received message : messages) {
                Instant sentAt = Instant.parse(message.json().get("sentAt").asText());
                assertThat(message.key()).isEqualTo(message.json().get("userId").asText());
                for (JsonNode r : message.json().get("reminders")) {
                    long due = dueById.get(r.get("id").asText());
                    assertThat(Instant.parse(r.get("dueAt").asText()).toEpochMilli()).isEqualTo(due);
                    assertThat(sentAt.toEpochMilli()).as("sent before due").isGreaterThanOrEqualTo(due);
                    assertThat(message.timestamp()).as("produced before due").isGreaterThanOrEqualTo(due);
                }
            }

            Map<String, Set<Set<Long>>> actualGroups = new TreeMap<>();
            for (Received message : messages) {
                Set<Long> group = message.reminderIds().stream().map(dueById::get).collect(Collectors.toSet());
                actualGroups.computeIfAbsent(message.key(), u -> new HashSet<>()).add(group);
            }
            Map<String, Set<Set<Long>>> expectedGroups = new TreeMap<>();
            duesByUser.forEach((user, dues) -> expectedGroups.put(user, greedyWindows(dues)));
            assertThat(actualGroups).isEqualTo(expectedGroups);
            assertThat(messages.size()).isLessThan(10_000);
        }
    }

    /** The README's merge rule, computed independently of the implementation. */
    static Set<Set<Long>> greedyWindows(List<Long> dues) {
        List<Long> sorted = dues.stream().sorted().toList();
        Set<Set<Long>> groups = new HashSet<>();
        Set<Long> current = new HashSet<>();
        long anchor = Long.MIN_VALUE;
        for (long due : sorted) {
            if (current.isEmpty() || due > anchor + WINDOW) {
                if (!current.isEmpty()) {
                    groups.add(current);
                }
                current = new HashSet<>();
                anchor = due;
            }
            current.add(due);
        }
        groups.add(current);
        return groups;
    }

    @Test
    void cancelledBeforeDueIsNeverDelivered() {
        long due = System.currentTimeMillis() + 1_500;
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(List.of(reminder("cancel-1", "gone", due), reminder("cancel-2", "control", due)));
            assertThat(store.cancel(new ReminderId("cancel-1", "gone"))).isTrue();

            List<Received> messages = reader.readUntil(m -> m.stream().anyMatch(r -> r.key().equals("cancel-2")),
                    Duration.ofSeconds(30));
            messages = reader.readFor(Duration.ofSeconds(2));
            assertThat(messages).extracting(Received::key).contains("cancel-2").doesNotContain("cancel-1");
        }
    }

    @Test
    void messageCarriesTheDocumentedFieldsAndADeterministicId() {
        long due = System.currentTimeMillis() + 500;
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(List.of(reminder("fmt", "a", due), reminder("fmt", "b", due)));
            Received message = reader.readUntil(m -> !m.isEmpty(), Duration.ofSeconds(30)).get(0);

            JsonNode json = message.json();
            assertThat(json.get("userId").asText()).isEqualTo("fmt");
            assertThat(json.get("reminders")).hasSize(2);
            JsonNode first = json.get("reminders").get(0);
            assertThat(first.fieldNames()).toIterable().contains("id", "subject", "revision", "title", "body", "dueAt");
            assertThat(Instant.parse(json.get("sentAt").asText())).isAfterOrEqualTo(Instant.ofEpochMilli(due));

            List<String> lines = new ArrayList<>();
            json.get("reminders").forEach(r -> lines.add(r.get("id").asText() + "#" + r.get("revision").asLong()));
            assertThat(message.messageId()).hasSize(32).isEqualTo(expectedMessageId(lines));
            // acknowledged (in the background, in batches): nothing is left behind
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> redis.keys("reminders:{*}:payload").isEmpty() && redis.keys("reminders:{*}:inflight").isEmpty());
        }
    }

    private static String expectedMessageId(List<String> lines) {
        try {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            for (String line : lines.stream().sorted().toList()) {
                sha.update((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
