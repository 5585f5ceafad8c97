package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TopicReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Online resharding against the real Redis, Kafka and bundle instances (README, "Online resharding"). The context
 * is dropped afterwards: the layout it followed is not the one the other tests start from.
 */
@DirtiesContext
class ReshardingTest extends IntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    ReminderStore store;
    @Autowired
    DispatchStore dispatch;
    @Autowired
    DeadLetterStore deadLetters;
    @Autowired
    ReminderKeys keys;
    @Autowired
    LayoutWatcher watcher;
    @Autowired
    LayoutStore layoutStore;
    @Autowired
    ShardFunction shards;
    @LocalServerPort
    int port;
    Http http;

    @BeforeEach
    void settle() throws Exception {
        http = new Http(port);
        // the Redis was emptied: the layout this context knows is written back (LayoutWatcher), and must be settled
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.hasKey(keys.layout()));
        assertThat(shards.layout().migrating()).isFalse();
        if (shards.layout().count() != 16) { // every test starts from 16 shards
            awaitSettled(reshard(16), 16);
        }
    }

    /**
     * Every test ends at 16 shards too: the other cached contexts of this test JVM read the layout every second and
     * write back the newest they saw after the next test class empties Redis.
     */
    @AfterEach
    void backTo16() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> !watcher.refresh().layout().migrating());
        if (shards.layout().count() != 16) {
            awaitSettled(reshard(16), 16);
        }
    }

    static Reminder reminder(String user, String subject, long due, String title) {
        return new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(due), title, "b", null, null);
    }

    JsonNode layout() throws Exception {
        HttpResponse<String> answer = http.get("/api/operator/layout");
        assertThat(answer.statusCode()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    /** Starts a migration and waits until it finished; its new epoch. */
    long reshard(int count) throws Exception {
        long before = layout().get("epoch").asLong();
        HttpResponse<String> started = http.post("/api/operator/layout", "{\"shardCount\":" + count + "}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode begun = JSON.readTree(started.body());
        assertThat(begun.get("migrating").asBoolean()).isTrue();
        assertThat(begun.get("target").get("count").asInt()).isEqualTo(count);
        assertThat(begun.get("epoch").asLong()).isEqualTo(before + 1);
        return begun.get("epoch").asLong();
    }

    void awaitSettled(long epoch, int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode now = layout();
            return now.get("epoch").asLong() == epoch + 1 && !now.get("migrating").asBoolean()
                    && now.get("shards").get("count").asInt() == count;
        });
    }

    static Set<String> ids(List<TopicReader.Received> messages) {
        Set<String> ids = new HashSet<>();
        messages.forEach(m -> ids.addAll(m.reminderIds()));
        return ids;
    }

    long entries(String pattern) {
        return redis.keys(pattern).size();
    }

    /**
     * 16 -> 64 -> 16 while two instances deliver 12,000 reminders due over the next seconds and a producer cancels
     * and reschedules during each migration: each remaining reminder arrives once, in its newest version, never
     * early; the cancelled never; afterwards nothing is left in shards 16..63.
     */
    @Test
    void growsAndShrinksWhileProducersWriteAndTwoInstancesDeliver() throws Exception {
        try (BundleInstance a = new BundleInstance(BundleInstance.dispatching("reshard-a", "reminders.dispatch.merge-window", "0"));
                BundleInstance b = new BundleInstance(BundleInstance.dispatching("reshard-b", "reminders.dispatch.merge-window", "0"));
                TopicReader reader = TopicReader.messageCenter()) {
            layout(); // the first call of this context warms it up (seconds): not inside the timed part
            long start = System.currentTimeMillis() + 4_000;
            Map<String, Long> expectedDue = new HashMap<>();
            Set<String> cancelled = new HashSet<>();
            Set<String> rescheduled = new HashSet<>();
            List<Reminder> batch = new ArrayList<>();
            for (int i = 0; i < 12_000; i++) {
                // due over 10 s; the ones the producer touches during the migration later, so none is claimed before
                long due = i % 12 == 0 ? start + 30_000 + i % 1_000 : start + (i * 7L) % 10_000;
                batch.add(reminder("rs-" + (i % 4_000), "s" + i, due, "v1"));
                expectedDue.put("rs-" + (i % 4_000) + ":s" + i, due);
            }
            store.schedule(batch);

            long grown = reshard(64);
            // producers write during the migration: through the API, so the running layout decides where
            for (int i = 0; i < 12_000; i += 12) {
                String id = "rs-" + (i % 4_000) + ":s" + i;
                if (i % 24 == 0) {
                    assertThat(http.delete("/api/reminders/rs-" + (i % 4_000) + "/s" + i).statusCode()).isEqualTo(204);
                    cancelled.add(id);
                    expectedDue.remove(id);
                } else {
                    long due = start + 12_000 + i % 1_000;
                    HttpResponse<String> put = http.put("/api/reminders/rs-" + (i % 4_000) + "/s" + i,
                            "{\"dueAt\":\"" + Instant.ofEpochMilli(due) + "\",\"title\":\"v2\",\"body\":\"b\"}");
                    assertThat(put.statusCode()).as(put.body()).isEqualTo(200); // replaced, wherever it lived
                    rescheduled.add(id);
                    expectedDue.put(id, due);
                }
            }
            awaitSettled(grown, 64);
            assertThat(shards.layout().count()).isEqualTo(64);
            assertThat(a.bean(ShardFunction.class).layout().count()).isEqualTo(64);

            long shrunk = reshard(16);
            for (int i = 0; i < 500; i++) { // new reminders while shrinking
                long due = start + 14_000 + i;
                store.schedule(reminder("rs-new-" + i, "n", due, "v1"));
                expectedDue.put("rs-new-" + i + ":n", due);
            }
            awaitSettled(shrunk, 16);

            reader.readUntil(m -> ids(m).containsAll(expectedDue.keySet()), Duration.ofSeconds(60));
            List<TopicReader.Received> messages = reader.readFor(Duration.ofSeconds(2)); // all, and any duplicate late
            Map<String, List<String>> deliveries = new HashMap<>();
            int early = 0;
            for (TopicReader.Received message : messages) {
                for (JsonNode r : message.json().get("reminders")) {
                    String id = r.get("id").asText();
                    long due = Instant.parse(r.get("dueAt").asText()).toEpochMilli();
                    deliveries.computeIfAbsent(id, k -> new ArrayList<>())
                            .add(message.messageId() + " at " + message.timestamp() + " revision " + r.get("revision"));
                    if (message.timestamp() < due) {
                        early++;
                    }
                    if (rescheduled.contains(id)) {
                        assertThat(r.get("title").asText()).as(id).isEqualTo("v2");
                    }
                    if (expectedDue.containsKey(id)) {
                        assertThat(due).as(id).isEqualTo(expectedDue.get(id));
                    }
                }
            }
            // a send whose outcome was unknown (a timeout of the loaded broker) is repeated under its messageId, which
            // the center drops (README, "At-least-once delivery"); a reminder sent under two messageIds is a real duplicate
            assertThat(deliveries).as("delivered under more than one messageId").allSatisfy((id, sends) ->
                    assertThat(sends.stream().map(d -> d.substring(0, d.indexOf(' '))).distinct()).as("%s", sends).hasSize(1));
            assertThat(deliveries.keySet()).as("delivered").containsExactlyInAnyOrderElementsOf(expectedDue.keySet());
            assertThat(cancelled).noneMatch(deliveries::containsKey);
            assertThat(early).isZero();
            for (int shard = 16; shard < 64; shard++) {
                assertThat(redis.opsForZSet().size(keys.due(shard))).isZero();
                assertThat(redis.opsForHash().size(keys.payload(shard))).isZero();
                assertThat(redis.opsForZSet().size(keys.inflight(shard))).isZero();
            }
            assertThat(entries("reminders:{*}:moving")).isZero();
        }
    }

    /**
     * A mover killed between taking entries out of the old shard and writing them to the new one leaves them in
     * 'moving' (and holds the mover lease until it expires): they stay readable, a cancel and a reschedule of the
     * producer win over them, and the next mover finishes the move.
     */
    @Test
    void whatADeadMoverLeftIsFinishedAndTheProducersNewestWriteWins() throws Exception {
        String kept = userMovingFrom16To64("kept");
        String cancelledUser = userMovingFrom16To64("gone");
        String newerUser = userMovingFrom16To64("newer");
        long due = System.currentTimeMillis() + 3_600_000;
        store.schedule(List.of(reminder(kept, "s", due, "v1"), reminder(cancelledUser, "s", due, "v1"),
                reminder(newerUser, "s", due, "v1")));
        ShardMover mover = new ShardMover(redis, keys);
        ShardLayout.Target target = new ShardLayout.Target(64, ShardHash.JUMP);
        // a dead mover: its lease still runs for 3 s
        redis.opsForValue().set(keys.moverLock(), "dead-instance", Duration.ofSeconds(3));
        long epoch = reshard(64);
        // it had taken the three out of their old shard (move-out.lua), and died before move-in.lua
        for (String user : List.of(kept, cancelledUser, newerUser)) {
            int old = ShardHash.JUMP.shardOf(user, 16);
            redis.execute(LuaScripts.MOVE_OUT, keys.withLanes(old, keys.due(old), keys.payload(old), keys.inflight(old),
                    keys.attempts(old), keys.dead(old), keys.deadAt(old), keys.moving(old), keys.epoch(old), keys.moverRun(old)),
                    Long.toString(epoch), ShardMover.NOT_A_MOVER, user + ":s");
            assertThat(redis.opsForHash().hasKey(keys.moving(old), user + ":s")).isTrue();
        }
        assertThat(store.find(new ReminderId(kept, "s"))).get().extracting(StoredReminder::state)
                .isEqualTo(StoredReminder.State.SCHEDULED);
        assertThat(http.delete("/api/reminders/" + cancelledUser + "/s").statusCode()).isEqualTo(204);
        assertThat(http.put("/api/reminders/" + newerUser + "/s", "{\"dueAt\":\"" + Instant.ofEpochMilli(due + 1000)
                + "\",\"title\":\"v2\",\"body\":\"b\"}").statusCode()).isEqualTo(200);

        awaitSettled(epoch, 64); // after the dead mover's lease ran out, this context's mover took over
        assertThat(store.find(new ReminderId(kept, "s"))).get().satisfies(r -> {
            assertThat(r.shard()).isEqualTo(target.shardOf(kept));
            assertThat(r.state()).isEqualTo(StoredReminder.State.SCHEDULED);
        });
        assertThat(store.find(new ReminderId(cancelledUser, "s"))).isEmpty();
        assertThat(store.find(new ReminderId(newerUser, "s"))).get().satisfies(r -> assertThat(r.reminder().title()).isEqualTo("v2"));
        assertThat(entries("reminders:{*}:moving")).isZero();
        assertThat(redis.opsForZSet().size(keys.due(target.shardOf(kept)))).isPositive();
        assertThat(mover.drain(ShardHash.JUMP.shardOf(kept, 16), target, epoch, ShardMover.NOT_A_MOVER, () -> true).moved())
                .isZero(); // nothing left
    }

    /**
     * Revisions are per shard counter; a user moved to a shard whose counter is behind must still get a revision it
     * never had, or the new reminder's messageId repeats one the center has seen (and drops it as a repeat).
     */
    @Test
    void aMovedUsersNextRevisionIsOneItNeverHad() throws Exception {
        String user = userMovingFrom16To64("daily");
        for (int i = 0; i < 50; i++) {
            store.schedule(reminder("pad-" + i, "s", System.currentTimeMillis() + 3_600_000, "t")); // counters move on
        }
        long before = store.schedule(reminder(user, "daily", System.currentTimeMillis() + 3_600_000, "v1")).revision();
        assertThat(store.cancel(new ReminderId(user, "daily"))).isTrue(); // delivered and acknowledged, say: gone
        awaitSettled(reshard(64), 64);
        ScheduleOutcome again = store.schedule(reminder(user, "daily", System.currentTimeMillis() + 3_600_000, "v2"));
        assertThat(again.shard()).isNotEqualTo(ShardHash.JUMP.shardOf(user, 16));
        assertThat(again.revision()).isGreaterThan(before);
    }

    /**
     * A dead-letter delete during a migration (404: the reminder is scheduled, not dead) marks the id in its new
     * shard for dead letters only: the mover still brings the scheduled reminder over.
     */
    @Test
    void aDeadLetterDeleteDuringAMigrationKeepsTheScheduledReminder() throws Exception {
        String user = userMovingFrom16To64("alive");
        store.schedule(reminder(user, "s", System.currentTimeMillis() + 3_600_000, "v1"));
        redis.opsForValue().set(keys.moverLock(), "someone-else", Duration.ofSeconds(2)); // migrating a moment
        long epoch = reshard(64);
        assertThat(http.delete("/api/dead-letters/" + user + ":s").statusCode()).isEqualTo(404);
        awaitSettled(epoch, 64);
        assertThat(store.find(new ReminderId(user, "s"))).get().satisfies(r -> {
            assertThat(r.state()).isEqualTo(StoredReminder.State.SCHEDULED);
            assertThat(r.shard()).isEqualTo(ShardHash.JUMP.shardOf(user, 64));
        });
    }

    /**
     * A Kafka record applied under the old layout and replayed during the migration is known as a replay, although
     * its user's new shard never saw the record.
     */
    @Test
    void aCommandReplayedDuringAMigrationIsNotAppliedAgain() throws Exception {
        String user = userMovingFrom16To64("replayed");
        CommandSource record = new CommandSource("reminder-commands-0", 41, System.currentTimeMillis());
        Reminder first = reminder(user, "s", System.currentTimeMillis() + 3_600_000, "v1");
        assertThat(store.schedule(first, record)).isPresent();
        assertThat(store.cancel(new ReminderId(user, "s"))).isTrue(); // a later change of the producer's
        redis.opsForValue().set(keys.moverLock(), "someone-else", Duration.ofSeconds(2)); // migrating a moment
        long epoch = reshard(64);
        assertThat(store.schedule(first, record)).as("the replay").isEmpty();
        assertThat(store.find(new ReminderId(user, "s"))).isEmpty();
        awaitSettled(epoch, 64);
        assertThat(store.schedule(first, record)).as("the replay after the migration").isEmpty();
        assertThat(store.find(new ReminderId(user, "s"))).isEmpty();
    }

    /**
     * A writer of epoch E whose cleanup of the old shard finds that shard fenced higher (the migration finished and
     * a newer write came meanwhile) is done: the finished migration emptied that shard of the id. Retrying the whole
     * write would cancel nothing the second time (404) or schedule the reminder twice, under two revisions.
     */
    @Test
    void anOldShardFencedHigherMeansItsCleanupIsDone() throws Exception {
        String user = userMovingFrom16To64("late");
        String other = userMovingFrom16To64("late-x");
        long due = System.currentTimeMillis() + 3_600_000;
        redis.opsForValue().set(keys.moverLock(), "someone-else", Duration.ofSeconds(3)); // migrating a moment
        long epoch = reshard(64);
        store.schedule(reminder(user, "s", due, "v1"));
        for (String u : List.of(user, other)) {
            redis.opsForValue().set(keys.epoch(ShardHash.JUMP.shardOf(u, 16)), Long.toString(epoch + 2));
        }
        assertThat(store.cancel(new ReminderId(user, "s"))).as("existed").isTrue();
        ScheduleOutcome once = store.schedule(reminder(other, "s", due, "v1"));
        assertThat(once.created()).isTrue();
        assertThat(store.find(new ReminderId(other, "s"))).get().extracting(r -> r.revision()).isEqualTo(once.revision());
        awaitSettled(epoch, 64);
    }

    /** A mover run that lost its lease (paused) is refused by every shard a newer run fenced: it moves nothing. */
    @Test
    void anOlderMoverRunIsRefusedOnceANewerOneFencedTheShard() {
        String user = userMovingFrom16To64("paused");
        store.schedule(reminder(user, "s", System.currentTimeMillis() + 3_600_000, "v1"));
        int old = ShardHash.JUMP.shardOf(user, 16);
        long epoch = shards.layout().epoch();
        redis.execute(LuaScripts.FENCE, List.of(keys.epoch(old), keys.moverRun(old)), Long.toString(epoch), "7");
        ShardMover mover = new ShardMover(redis, keys);
        ShardLayout.Target target = new ShardLayout.Target(64, ShardHash.JUMP);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mover.drain(old, target, epoch, "6", () -> true))
                .isInstanceOf(StaleLayoutException.class);
        assertThat(redis.opsForHash().hasKey(keys.payload(old), user + ":s")).as("nothing moved").isTrue();
        assertThat(mover.drain(old, target, epoch, "7", () -> true).moved()).as("the newer run moves it").isEqualTo(1);
    }

    /** A writer whose layout is older than a shard has seen is refused there (the fence), and nothing is written. */
    @Test
    void aShardRefusesWritersOfAnOlderLayout() {
        int shard = shards.shardOf("fenced");
        redis.opsForValue().set(keys.epoch(shard), "999");
        HttpResponse<String> put = http.put("/api/reminders/fenced/s",
                "{\"dueAt\":\"" + Instant.now().plusSeconds(60) + "\",\"title\":\"t\",\"body\":\"b\"}");
        assertThat(put.statusCode()).isEqualTo(503);
        assertThat(redis.opsForHash().size(keys.payload(shard))).isZero();
    }

    @Test
    void refusesABadTargetAndASecondMigration() throws Exception {
        HttpResponse<String> zero = http.post("/api/operator/layout", "{\"shardCount\":0}");
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(zero.body()).get("field").asText()).isEqualTo("shardCount");
        HttpResponse<String> hash = http.post("/api/operator/layout", "{\"shardCount\":32,\"hash\":\"md5\"}");
        assertThat(hash.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(hash.body()).get("field").asText()).isEqualTo("hash");
        assertThat(http.post("/api/operator/layout", "{\"shardCount\":16}").statusCode()).isEqualTo(400); // no change
        redis.opsForValue().set(keys.moverLock(), "someone-else", Duration.ofSeconds(2)); // keep it migrating a moment
        long epoch = reshard(32);
        HttpResponse<String> second = http.post("/api/operator/layout", "{\"shardCount\":64}");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(second.body()).get("error").asText()).isEqualTo("conflict");
        awaitSettled(epoch, 32);
        long back = reshard(16);
        awaitSettled(back, 16);
    }

    /**
     * Redis lost its data and an instance that last read the layout before the latest migration finished writes back
     * the one it knew (epoch E, migrating): the instances that know the finished layout (E + 1) put it back, so the
     * fleet does not run that migration again or refuse the next one as "running".
     */
    @Test
    void aLayoutWrittenBackByAStaleInstanceLosesToTheNewestOneKnown() throws Exception {
        long epoch = reshard(32);
        awaitSettled(epoch, 32);
        watcher.refresh();
        assertThat(shards.layout().epoch()).isEqualTo(epoch + 1);
        redis.delete(keys.layout());
        layoutStore.create(new ShardLayout(epoch, 16, ShardHash.JUMP, new ShardLayout.Target(32, ShardHash.JUMP), 16));
        watcher.refresh();
        ShardLayout restored = layoutStore.read().orElseThrow().layout();
        assertThat(restored.epoch()).isEqualTo(epoch + 1);
        assertThat(restored.migrating()).isFalse();
        assertThat(restored.count()).isEqualTo(32);
    }

    /** A user whose shard changes from 16 to 64 shards (jump). */
    /** A moved reminder lands in its lane, and a dead letter keeps its lane for a redrive; there and back. */
    @Test
    void aMovedReminderAndDeadLetterKeepTheirLanes() throws Exception {
        List<String> nudges = new CopyOnWriteArrayList<>();
        RedisMessageListenerContainer listening = new RedisMessageListenerContainer();
        listening.setConnectionFactory(redis.getConnectionFactory());
        listening.addMessageListener((message, pattern) -> nudges.add(new String(message.getBody())),
                new ChannelTopic(keys.dueNudges()));
        listening.afterPropertiesSet();
        listening.start();
        await().until(() -> {
            redis.convertAndSend(keys.dueNudges(), "-1|0");
            return nudges.contains("-1|0");
        });
        try {
            assertLanesKeptAndHighNudged(nudges);
        } finally {
            listening.stop();
            listening.destroy();
        }
    }

    void assertLanesKeptAndHighNudged(List<String> nudges) throws Exception {
        String high = userMovingFrom16To64("lane-high");
        String low = userMovingFrom16To64("lane-low");
        String dead = userMovingFrom16To64("lane-dead");
        long later = System.currentTimeMillis() + 3_600_000;
        store.schedule(reminder(high, "s", later, "t").withPriority(Priority.HIGH));
        store.schedule(reminder(low, "s", later, "t").withPriority(Priority.LOW));
        store.schedule(reminder(dead, "s", System.currentTimeMillis() - 10, "t").withPriority(Priority.HIGH));
        int deadShard = shards.shardOf(dead);
        ClaimedReminder claimed = dispatch.claim(deadShard, new DispatchStore.ClaimRequest(10, 30_000, "c1", "me", 5_000, 0, 100))
                .claimed().get(0);
        dispatch.deadLetter(deadShard, List.of(new DispatchStore.Failure(claimed, "\"reason\":\"rejected\",\"error\":\"x\",\"attempts\":1")));

        for (int count : List.of(64, 16)) {
            awaitSettled(reshard(count), count);
            for (String user : List.of(high, low, dead)) {
                int home = ShardHash.JUMP.shardOf(user, count);
                Priority lane = user.equals(low) ? Priority.LOW : Priority.HIGH;
                assertThat(store.find(new ReminderId(user, "s"))).get().satisfies(r -> {
                    assertThat(r.shard()).isEqualTo(home);
                    assertThat(r.reminder().priority()).as(user).isEqualTo(lane);
                });
                assertThat(redis.opsForHash().get(keys.lanes(home), user + ":s")).as(user).isEqualTo(lane.label());
            }
            assertThat(redis.opsForZSet().score(keys.due(ShardHash.JUMP.shardOf(high, count), Priority.HIGH), high + ":s")).isNotNull();
            assertThat(redis.opsForZSet().score(keys.due(ShardHash.JUMP.shardOf(low, count), Priority.LOW), low + ":s")).isNotNull();
            // the high reminder's new shard is served out of turn when it falls due: its move-in said so
            String movedIn = ShardHash.JUMP.shardOf(high, count) + "|" + later + "|high";
            await().untilAsserted(() -> assertThat(nudges).contains(movedIn));
        }
        assertThat(deadLetters.redrive(List.of(new ReminderId(dead, "s"))).redriven()).isEqualTo(1);
        assertThat(redis.opsForZSet().score(keys.due(ShardHash.JUMP.shardOf(dead, 16), Priority.HIGH), dead + ":s")).isNotNull();
        await().untilAsserted(() -> assertThat(nudges).contains(ShardHash.JUMP.shardOf(dead, 16) + "|0|high"));
    }

    static String userMovingFrom16To64(String prefix) {
        for (int i = 0; ; i++) {
            String user = prefix + i;
            if (ShardHash.JUMP.shardOf(user, 16) != ShardHash.JUMP.shardOf(user, 64)) {
                return user;
            }
        }
    }
}
