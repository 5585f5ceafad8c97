package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.IntegrationTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With reminders scheduled but none due, an instance polling at the default interval asks Redis a few cheap
 * questions per second (the poll cursor, every shard's earliest due time and lease expiry, one pipelined
 * round trip each) and runs no claim or reaper script.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class IdleDispatchTest extends IntegrationTest {

    @DynamicPropertySource
    static void defaultPolling(DynamicPropertyRegistry registry) {
        registry.add("reminders.dispatch.enabled", () -> "true");
        registry.add("reminders.dispatch.poll-interval", () -> "1000ms");
        registry.add("reminders.dispatch.reaper-interval", () -> "1000ms");
        // the backlog gauges (one stats.lua per shard every 5 s by default) are observability, not dispatch
        registry.add("reminders.metrics.refresh-interval", () -> "1h");
    }

    @Autowired
    ReminderStore store;

    @Autowired
    MeterRegistry meters;

    /**
     * Counted by this instance's own Redis client (Lettuce's command metrics), so the other bundles the suite keeps
     * running against the same Redis do not count.
     */
    @Test
    void nothingDueRunsNoScriptAndFewCommands() throws Exception {
        List<Reminder> later = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            later.add(new Reminder(new ReminderId("idle-" + i, "later"), Instant.now().plusSeconds(3_600), "Later",
                    "Due in an hour", null, null));
        }
        store.schedule(later);
        Thread.sleep(3_000); // the first tick has read Redis time, the backlog gauges their first refresh
        Map<String, Long> before = commandCalls();

        Thread.sleep(5_000);

        Map<String, Long> calls = new TreeMap<>();
        commandCalls().forEach((command, count) -> {
            long delta = count - before.getOrDefault(command, 0L);
            if (delta > 0) {
                calls.put(command, delta);
            }
        });
        long scripts = calls.getOrDefault("EVALSHA", 0L) + calls.getOrDefault("EVAL", 0L);
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        // 5 ticks (INCR, time.lua, a due-time read of 3 lanes: 48 ZRANGEs) and 5 reaper rounds (a lease-expiry read:
        // 16 ZRANGEs);
        // the lease renewal's heartbeat for the console's instances is one ZADD every 3 s; the layout watcher reads
        // the shard layout record (one HGETALL) every second
        assertThat(scripts).as("claim and reaper scripts while nothing is due: %s", calls).isLessThanOrEqualTo(6);
        assertThat(calls.keySet()).as("commands: %s", calls).isSubsetOf("INCR", "INCRBY", "EVALSHA", "ZRANGE", "ZADD", "HGETALL");
        assertThat(calls.getOrDefault("ZADD", 0L)).as("heartbeats in 5 s: %s", calls).isLessThanOrEqualTo(2);
        assertThat(calls.getOrDefault("HGETALL", 0L)).as("layout reads in 5 s: %s", calls).isLessThanOrEqualTo(6);
        assertThat(total).as("commands in 5 s: %s", calls).isLessThanOrEqualTo(6 * (2 + 3 * 16 + 16) + 2 + 6);
    }

    private Map<String, Long> commandCalls() {
        Map<String, Long> calls = new HashMap<>();
        for (Timer timer : meters.find("lettuce.command.completion").timers()) {
            calls.merge(timer.getId().getTag("command"), timer.count(), Long::sum);
        }
        return calls;
    }
}
