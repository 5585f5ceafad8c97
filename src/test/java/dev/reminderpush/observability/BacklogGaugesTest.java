package dev.reminderpush.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Backlog gauges and health, with the poller off so nothing claims the backlog away. */
@AutoConfigureObservability // Spring Boot tests switch metrics export (the Prometheus endpoint) off unless asked
class BacklogGaugesTest extends IntegrationTest {

    @Autowired
    BacklogGauges gauges;

    @Autowired
    MeterRegistry registry;

    @Autowired
    ReminderStore store;

    @LocalServerPort
    int port;

    double gauge(String name, String... tags) {
        return registry.find(name).tags(tags).gauge().value();
    }

    @Test
    void gaugesShowTheBacklogPerShardAndInTotal() {
        long now = System.currentTimeMillis();
        store.schedule(List.of(
                new Reminder(new ReminderId("42", "a"), Instant.ofEpochMilli(now - 30_000), "t", "b", null, null),
                new Reminder(new ReminderId("42", "b"), Instant.ofEpochMilli(now - 1_000), "t", "b", null, null),
                new Reminder(new ReminderId("7", "c"), Instant.ofEpochMilli(now + 60_000), "t", "b", null, null)));
        gauges.refresh();

        assertThat(gauge("reminders.overdue.all")).isEqualTo(2);
        assertThat(gauge("reminders.overdue", "shard", "13")).isEqualTo(2); // user 42 lives in shard 13
        assertThat(gauge("reminders.scheduled.future")).isEqualTo(1);
        assertThat(gauge("reminders.inflight")).isZero();
        assertThat(gauge("reminders.oldest.overdue.age")).isBetween(29.0, 40.0);
        assertThat(gauge("reminders.claiming.paused")).isZero();

        String scrape = new Http(port).get("/actuator/prometheus").body();
        assertThat(scrape).contains("reminders_overdue_all 2.0", "reminders_overdue{shard=\"13\"} 2.0", "reminders_oldest_overdue_age_seconds",
                "reminders_scheduled_total", "reminders_lateness_seconds");
    }

    @Test
    void healthShowsRedisAndKafka() {
        String health = new Http(port).get("/actuator/health").body();
        assertThat(health).contains("\"redis\":{\"status\":\"UP\"", "\"kafka\":{\"status\":\"UP\"");
    }

    @Test
    void readinessGoesDownWhileRedisIsUnreachable() throws Exception {
        Http http = new Http(port);
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        TestInfrastructure.get().redis().stop();
        try {
            assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
            assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        } finally {
            TestInfrastructure.get().redis().start();
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (http.get("/actuator/health/readiness").statusCode() != 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }
}
