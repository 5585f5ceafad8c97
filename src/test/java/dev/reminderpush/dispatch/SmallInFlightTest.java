package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A fleet that lowers max-in-flight to a few batches still streams a backlog: what a full claim brought is handed
 * off before the merge buffer alone fills the in-flight room (it once waited out the tick budget for room only
 * it could free, and sent max-in-flight reminders per tick budget).
 */
@TestPropertySource(properties = {"reminders.dispatch.batch-size=100", "reminders.dispatch.max-in-flight=200",
        "reminders.dispatch.merge-window=0s", "reminders.dispatch.tick-budget=5s"})
class SmallInFlightTest extends DispatchTest {

    @Autowired
    ReminderStore store;

    @Test
    void aBacklogFlowsWhenMaxInFlightIsTwoBatches() {
        long due = System.currentTimeMillis() - 1_000;
        List<Reminder> backlog = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            backlog.add(new Reminder(new ReminderId("small-" + i, "s"), Instant.ofEpochMilli(due), "t", "b", null, null));
        }
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(backlog);
            // within one tick budget (5 s): the stalled dispatcher sent nothing in its first 5 s
            reader.readUntil(m -> reader.remindersReceived() >= 3_000, Duration.ofSeconds(4));
            assertThat(reader.remindersReceived()).isEqualTo(3_000);
        }
    }
}
