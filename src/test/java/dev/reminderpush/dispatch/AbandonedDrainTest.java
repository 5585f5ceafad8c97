package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.delivery.DeliveryGateway;
import dev.reminderpush.store.DispatchStore;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.MessageCenterServer;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A drain that ends half-way (here: its drain lease ran out while it waited for room, and another instance
 * took the shard) must still send what it claimed, at once: nothing may stay in the merge buffer until a
 * later drain or the lease brings it back.
 */
class AbandonedDrainTest extends IntegrationTest {

    static final int SHARD = 3;

    @Autowired
    ReminderStore store;

    @Autowired
    DispatchStore dispatch;

    final ShardFunction shards = new ShardFunction(16);

    List<String> users(boolean inShard, int count) {
        List<String> users = new ArrayList<>();
        for (int i = 0; users.size() < count; i++) {
            String user = (inShard ? "drain-" : "hang-") + i;
            if ((shards.shardOf(user) == SHARD) == inShard) {
                users.add(user);
            }
        }
        return users;
    }

    @Test
    void aDrainTakenOverWhileWaitingForRoomSendsWhatItClaimed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (MessageCenterServer center = new MessageCenterServer(); TopicReader reader = TopicReader.messageCenter()) {
            center.respondWith(request -> {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 200;
            });
            try (BundleInstance a = new BundleInstance(BundleInstance.dispatching("drainer-a",
                    "reminders.dispatch.batch-size", "40", "reminders.dispatch.max-in-flight", "100",
                    "reminders.dispatch.drain-lease", "300ms", "reminders.dispatch.tick-budget", "10s",
                    "reminders.dispatch.merge-window", "0", "reminders.delivery.http.url", center.url(),
                    "reminders.delivery.http.timeout", "20000ms"))) {
                // 60 HTTP messages hang at the center: only 40 of the 100 in flight are free
                List<Reminder> hanging = users(false, 60).stream().map(u -> new Reminder(new ReminderId(u, "s"),
                        Instant.now(), "t", "b", "http", null)).toList();
                store.schedule(hanging);
                await().atMost(Duration.ofSeconds(20)).until(() -> a.bean(DeliveryGateway.class).inFlight() == 60);

                List<Reminder> drained = users(true, 100).stream().map(u -> new Reminder(new ReminderId(u, "s"),
                        Instant.now(), "t", "b", "kafka", null)).toList();
                store.schedule(drained);
                // a claims a full batch of 40 and waits for room for the next; its drain lease runs out meanwhile
                await().atMost(Duration.ofSeconds(10)).until(() -> a.bean(Dispatcher.class).waitingForSiblings() == 40);
                Thread.sleep(500);
                var takeover = dispatch.claim(SHARD, new DispatchStore.ClaimRequest(1, 3_000, "b:1", "b", 30_000, 0, 10));
                assertThat(takeover.busy()).isFalse();
                assertThat(takeover.full()).as("b now drains the shard").isTrue();

                release.countDown();
                List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 40, Duration.ofSeconds(5));
                List<String> ids = messages.stream().flatMap(m -> m.reminderIds().stream()).toList();
                assertThat(ids).as("what a claimed before b took the shard").hasSizeGreaterThanOrEqualTo(40).doesNotHaveDuplicates();
                assertThat(a.bean(Dispatcher.class).waitingForSiblings()).isZero();
            }
        }
    }

    @Test
    void refusesToStartWhenABatchCanNeverFitInFlight() {
        assertThatThrownBy(() -> new BundleInstance(BundleInstance.dispatching("too-small",
                "reminders.dispatch.batch-size", "200", "reminders.dispatch.max-in-flight", "100")).close())
                .hasStackTraceContaining("reminders.dispatch.max-in-flight (100) must be at least reminders.dispatch.batch-size (200)");
    }
}
