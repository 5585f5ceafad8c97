package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.DispatchStore;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderKeys;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.SkewedClock;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * "Never early" and leases must not rest on an instance's own clock: an instance whose clock runs 5 s ahead
 * sends nothing before it is due and takes no lease from another instance before it expires. Redis
 * server time decides for the whole fleet.
 */
class ClockSkewTest extends IntegrationTest {

    static final Duration SKEW = Duration.ofSeconds(5);

    @Autowired
    ReminderStore store;

    @Autowired
    DispatchStore dispatch;

    @Autowired
    ReminderKeys keys;

    @Test
    void anInstanceWhoseClockRunsAheadSendsNothingEarlyAndStealsNoLease() {
        try (BundleInstance ahead = new BundleInstance(BundleInstance.dispatching("ahead"), SkewedClock.ahead(SKEW));
                TopicReader reader = TopicReader.messageCenter()) {
            // another instance's lease on "held", 4 s long: the skewed reaper must leave it alone until it expires
            ahead.bean(ClaimingSwitch.class).pause();
            ReminderId held = new ReminderId("skew-held", "x");
            store.schedule(new Reminder(held, Instant.now().minusMillis(10), "t", "b", null, null));
            int shard = store.shardOf(held.userId());
            long leaseMillis = 4_000;
            ClaimedReminder claim = dispatch.claim(shard, new DispatchStore.ClaimRequest(10, leaseMillis,
                    "other:1", "other", 1_000, 0, 10)).claimed().get(0);
            long leaseEnds = System.currentTimeMillis() + leaseMillis;
            String token = claim.revision() + "|" + claim.claimId();
            await().pollDelay(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(redis.opsForHash().get(keys.claims(shard), held.toString())).as("lease taken early").isEqualTo(token);
            ahead.bean(ClaimingSwitch.class).resume();

            long base = System.currentTimeMillis() + 1_000;
            Map<String, Long> dueById = new HashMap<>();
            List<Reminder> reminders = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long due = base + (i * 10L);
                Reminder r = new Reminder(new ReminderId("skew-" + i, "s"), Instant.ofEpochMilli(due), "t", "b", null, null);
                reminders.add(r);
                dueById.put(r.id().toString(), due);
            }
            store.schedule(reminders);
            List<Received> messages = reader.readUntil(m -> m.stream().flatMap(r -> r.reminderIds().stream())
                    .filter(id -> !id.equals(held.toString())).count() >= 300, Duration.ofSeconds(30));
            long heldDeliveredAt = -1;
            for (Received message : messages) {
                for (JsonNode r : message.json().get("reminders")) {
                    String id = r.get("id").asText();
                    if (id.equals(held.toString())) {
                        heldDeliveredAt = message.timestamp();
                        continue;
                    }
                    assertThat(message.timestamp()).as("%s produced before due", id).isGreaterThanOrEqualTo(dueById.get(id));
                    assertThat(Instant.parse(message.json().get("sentAt").asText()).toEpochMilli()).as("%s sentAt", id)
                            .isGreaterThanOrEqualTo(dueById.get(id));
                }
            }
            if (heldDeliveredAt < 0) { // the other instance "died": after its lease the skewed one delivers it
                List<Received> later = reader.readUntil(m -> m.stream().anyMatch(r -> r.key().equals(held.userId())),
                        Duration.ofSeconds(20));
                heldDeliveredAt = later.stream().filter(r -> r.key().equals(held.userId())).findFirst().orElseThrow().timestamp();
            }
            assertThat(heldDeliveredAt).as("redelivered before the lease ended").isGreaterThanOrEqualTo(leaseEnds - 50);
        }
    }
}
