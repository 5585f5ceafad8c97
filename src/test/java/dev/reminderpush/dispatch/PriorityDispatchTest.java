package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.Priority;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A high reminder does not wait for another shard's backlog: the pass serves the shard whose high lane is due out
 * of turn, between the claims of the backlog's drain (small claims, so the backlog takes many of them).
 */
@TestPropertySource(properties = {"reminders.dispatch.batch-size=100", "reminders.dispatch.max-in-flight=200",
        "reminders.dispatch.merge-window=0s"})
class PriorityDispatchTest extends DispatchTest {

    @Autowired
    ReminderStore store;

    final ShardFunction shards = new ShardFunction(16);

    List<String> usersOf(int shard, String prefix, int count) {
        List<String> users = new ArrayList<>();
        for (int i = 0; users.size() < count; i++) {
            if (shards.shardOf(prefix + i) == shard) {
                users.add(prefix + i);
            }
        }
        return users;
    }

    @Test
    void aHighReminderOfAnotherShardGoesBeforeTheRestOfABacklog() {
        assertTheHighReminderOvertakes(Priority.NORMAL);
    }

    /** The walk drains the older high backlog, gives way, and the urgent shard (not the backlog's again) is served. */
    @Test
    void aHighReminderOfAnotherShardGoesBeforeTheRestOfAnOlderHighBacklog() {
        assertTheHighReminderOvertakes(Priority.HIGH);
    }

    void assertTheHighReminderOvertakes(Priority backlogLane) {
        long due = System.currentTimeMillis() - 1_000;
        List<Reminder> backlog = new ArrayList<>();
        for (String user : usersOf(2, "backlog-", 20_000)) {
            backlog.add(new Reminder(new ReminderId(user, "s"), Instant.ofEpochMilli(due), "t", "b", null, null, backlogLane));
        }
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(backlog);
            reader.readUntil(m -> reader.remindersReceived() >= 1_000, Duration.ofSeconds(30)); // the drain is under way
            String urgent = usersOf(9, "urgent-", 1).get(0);
            store.schedule(new Reminder(new ReminderId(urgent, "now"), Instant.now(), "t", "b", null, null, Priority.HIGH));

            List<Received> all = reader.readUntil(m -> reader.remindersReceived() >= 20_001, Duration.ofSeconds(120));
            assertThat(reader.remindersReceived()).isEqualTo(20_001);
            int urgentAt = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).key().equals(urgent)) {
                    urgentAt = i;
                }
            }
            long after = all.subList(urgentAt + 1, all.size()).stream().mapToLong(Received::reminderCount).sum();
            assertThat(after).as("backlog reminders delivered after the high one").isGreaterThan(10_000);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redis.keys("reminders:{*}:payload").isEmpty());
    }
}
