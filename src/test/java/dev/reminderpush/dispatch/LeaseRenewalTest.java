package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.DeadLetterStore;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.MessageCenterServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A healthy instance keeps its claims however long a delivery takes: the lease (3 s here) is renewed while
 * the instance holds the claim, so a center answering after 5 s gets every message once, no lease expires,
 * nothing is dead-lettered, and a second instance never takes the reminders over.
 */
class LeaseRenewalTest extends IntegrationTest {

    static final int MESSAGES = 20;

    @Autowired
    ReminderStore store;

    @Autowired
    DeadLetterStore deadLetters;

    @Test
    void aSlowCenterOutlastsTheLeaseWithoutRedeliveries() {
        try (MessageCenterServer center = new MessageCenterServer()) {
            center.respondWith(request -> {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 200;
            });
            String[] settings = {"reminders.delivery.http.url", center.url(), "reminders.delivery.http.timeout", "10000ms",
                    "reminders.dispatch.lease", "3s", "reminders.dispatch.lease-renewal", "500ms"};
            try (BundleInstance a = new BundleInstance(BundleInstance.dispatching("renew-a", settings));
                    BundleInstance b = new BundleInstance(BundleInstance.dispatching("renew-b", settings))) {
                List<Reminder> reminders = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    reminders.add(new Reminder(new ReminderId("renew-" + i, "s"), Instant.now(), "t", "b", "http", null));
                }
                store.schedule(reminders);
                await().atMost(Duration.ofSeconds(30)).until(() -> reminders.stream().allMatch(r -> store.find(r.id()).isEmpty()));
                await().pollDelay(Duration.ofSeconds(1)).until(() -> true);

                assertThat(center.requests()).as("one request per message, none repeated by the other instance")
                        .hasSize(MESSAGES);
                assertThat(leaseExpiries(a) + leaseExpiries(b)).isZero();
                assertThat(deadLetters.total()).isZero();
            }
        }
    }

    static double leaseExpiries(BundleInstance instance) {
        return instance.bean(MeterRegistry.class).get("reminders.lease.expired").counter().count();
    }
}
