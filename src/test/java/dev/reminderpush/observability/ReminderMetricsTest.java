package dev.reminderpush.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.Http;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** The metrics move with what happens: schedule, replace, cancel, deliver, fail, dead-letter, redrive. */
@TestPropertySource(properties = "spring.jmx.enabled=true") // Spring Boot tests switch JMX off unless asked
class ReminderMetricsTest extends DispatchTest {

    @Autowired
    MeterRegistry registry;

    @Autowired
    ReminderStore store;

    @LocalServerPort
    int port;

    double count(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    Reminder reminder(String user, String subject, long due, String channel) {
        return new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(due), "t", "b", channel, null);
    }

    @Test
    void countersFollowTheLifeOfReminders() {
        double scheduled = count("reminders.scheduled");
        double replaced = count("reminders.replaced");
        double cancelled = count("reminders.cancelled");
        double delivered = count("reminders.delivered", "channel", "kafka");
        double messages = count("reminders.messages.sent", "channel", "kafka");
        double claimed = count("reminders.claimed");
        long lateness = registry.find("reminders.lateness").timer().count();

        long now = System.currentTimeMillis();
        store.schedule(List.of(reminder("m1", "a", now + 300, null), reminder("m1", "b", now + 300, null),
                reminder("m2", "gone", now + 60_000, null)));
        store.schedule(reminder("m1", "b", now + 300, null)); // replace
        store.cancel(new ReminderId("m2", "gone"));

        assertThat(count("reminders.scheduled") - scheduled).isEqualTo(3);
        assertThat(count("reminders.replaced") - replaced).isEqualTo(1);
        assertThat(count("reminders.cancelled") - cancelled).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> count("reminders.delivered", "channel", "kafka") - delivered == 2);
        assertThat(count("reminders.messages.sent", "channel", "kafka") - messages).isEqualTo(1); // merged
        assertThat(count("reminders.claimed") - claimed).isEqualTo(2);
        assertThat(registry.find("reminders.lateness").timer().count() - lateness).isEqualTo(2);
        assertThat(registry.find("reminders.claim.batch.size").summary().count()).isPositive();
    }

    @Test
    void failuresRetriesDeadLettersAndRedrivesAreCounted() throws Exception {
        double retried = count("reminders.delivery.retried");
        double dead = count("reminders.dead.lettered", "reason", "retries_exhausted");
        double redriven = count("reminders.redriven");
        HTTP_CENTER.respondWith(request -> 503);
        try {
            store.schedule(reminder("m3", "x", System.currentTimeMillis() + 200, "http"));
            await().atMost(Duration.ofSeconds(30)).until(() -> count("reminders.dead.lettered", "reason", "retries_exhausted") - dead == 1);
            assertThat(count("reminders.delivery.retried") - retried).isEqualTo(3); // reminders.delivery.retry.max-retries
        } finally {
            HTTP_CENTER.clear();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> registry.find("reminders.dead.letters").gauge().value() >= 1);

        assertThat(new Http(port).post("/api/dead-letters/redrive", "").statusCode()).isEqualTo(200);
        assertThat(count("reminders.redriven") - redriven).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("m3", "x")).isEmpty());
    }

    @Test
    void operatorCanPauseAndResumeClaimingOverJmx() throws Exception {
        var server = ManagementFactory.getPlatformMBeanServer();
        ObjectName operations = new ObjectName("reminder-push:type=Operations");
        assertThat(server.getAttribute(operations, "ShardCount")).isEqualTo(16);
        assertThat(server.getAttribute(operations, "BatchSize")).isEqualTo(2000);

        server.invoke(operations, "pauseClaiming", null, null);
        try {
            assertThat(server.getAttribute(operations, "ClaimingPaused")).isEqualTo(true);
            store.schedule(reminder("paused", "x", System.currentTimeMillis(), null));
            Thread.sleep(1_500); // several poll intervals
            assertThat(store.find(new ReminderId("paused", "x")).orElseThrow().state().name()).isEqualTo("SCHEDULED");
            await().atMost(Duration.ofSeconds(15)).until(() -> registry.find("reminders.claiming.paused").gauge().value() == 1);
        } finally {
            server.invoke(operations, "resumeClaiming", null, null);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("paused", "x")).isEmpty());
    }

    /** Connected clients show in JMX (Hawtio) as reminder-push:type=Push, and in the monitor of the example page. */
    @Test
    void connectedClientsShowInJmxAndInTheMonitor() throws Exception {
        var server = ManagementFactory.getPlatformMBeanServer();
        ObjectName push = new ObjectName("reminder-push:type=Push");
        try (var client = dev.reminderpush.testing.PushClient.connect(port, "jmx-watched", null)) {
            client.subscribe("jmx-topic");
            await().until(() -> client.subscribed("jmx-topic"));
            assertThat(server.getAttribute(push, "WebSocketConnections")).isEqualTo(1);
            assertThat(server.getAttribute(push, "UsersOnline")).isEqualTo(1);
            assertThat(server.getAttribute(push, "Topics")).isEqualTo(1);
            var stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new Http(port).get("/push/stats").body());
            assertThat(stats.get("webSocket").asInt()).isEqualTo(1);
            assertThat(stats.get("usersOnline").asInt()).isEqualTo(1);
            assertThat(stats.get("maxConnections").asInt()).isEqualTo(10_000);
            assertThat(registry.find("reminders.push.connections").tag("transport", "websocket").gauge().value()).isEqualTo(1);
        }
        await().until(() -> server.getAttribute(push, "WebSocketConnections").equals(0));
    }
}
