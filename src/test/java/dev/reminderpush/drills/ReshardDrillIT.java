package dev.reminderpush.drills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.testing.BundleProcess;
import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.TestInfrastructure;
import dev.reminderpush.testing.TopicReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Online resharding of a running fleet (README, "Online resharding"): two bundle processes deliver 100,000
 * reminders due over the next minute while the shards go from 16 to 64, the instance moving them is killed
 * (kill -9) in the middle, a producer cancels and reschedules meanwhile, and then the shards go back to 16 while
 * new reminders come in. Nothing is lost, nothing is early, a cancelled reminder never arrives, a rescheduled one
 * arrives once in its new version, and the only repeats are of what the killed process held, under one messageId.
 */
class ReshardDrillIT {

    static final int REMINDERS = 100_000;
    static final int KILL_AFTER_MOVED = 15_000;
    static final int PRODUCERS = 4;
    static final ObjectMapper JSON = new ObjectMapper();

    static EmbeddedRedis redis;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void infrastructure() {
        redis = new EmbeddedRedis(TestInfrastructure.freePort()).start();
        kafka = new EmbeddedKafka(0).start();
        DrillEnvironment.flush(redis.port());
    }

    @AfterAll
    static void stopInfrastructure() {
        kafka.stop();
        redis.stop();
    }

    BundleProcess bundle(String name, String instanceId) throws Exception {
        BundleProcess bundle = new BundleProcess("drills", name, TestInfrastructure.freePort(),
                DrillEnvironment.bundleSettings(instanceId, redis.port(), kafka.bootstrapServers()));
        bundle.awaitReady(Duration.ofSeconds(90));
        return bundle;
    }

    @Test
    void grows16To64WithTheMoverKilledThenShrinksBack() throws Exception {
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "message-center-push");
                BundleProcess survivor = bundle("reshard-survivor", "drill-s")) {
            BundleProcess victim = bundle("reshard-victim", "drill-v");
            Http http = new Http(survivor.port());
            long start = System.currentTimeMillis() + 12_000; // loading takes about 10 s: due while the shards move
            // every 20th reminder is touched by the producer during the migration: due late, so none is claimed first
            Map<String, Long> expectedDue = new HashMap<>();
            Set<String> loaded = DrillEnvironment.load(survivor.port(), 0, REMINDERS, i -> due(start, i));
            for (int i = 0; i < REMINDERS; i++) {
                expectedDue.put(id(i), due(start, i));
            }
            assertThat(loaded).hasSize(REMINDERS);
            DrillFigures.progress("loaded " + REMINDERS + " reminders due from " + Instant.ofEpochMilli(start) + " over 60 s");

            // 16 -> 64, started on the victim, whose mover takes it; a producer cancels and reschedules meanwhile (on
            // the survivor), and the victim is killed once its mover moved some
            long grown = startMigration(new Http(victim.port()), 64);
            Set<String> cancelled = ConcurrentHashMap.newKeySet();
            Map<String, Long> rescheduled = new ConcurrentHashMap<>();
            List<Long> writtenAt = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<?>[] producers = new CompletableFuture<?>[PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++) {
                int slice = p;
                producers[p] = CompletableFuture.runAsync(() -> produce(http, slice, start, cancelled, rescheduled, writtenAt));
            }
            awaitLayout(http, r -> r.get("moved").asLong() >= KILL_AFTER_MOVED || !r.get("migrating").asBoolean(), 120);
            victim.kill();
            long killedAt = System.currentTimeMillis();
            Set<String> heldAtKill = DrillEnvironment.claimedBy(redis.port(), "drill-v", 64);
            JsonNode atKill = layout(http);
            DrillFigures.progress("killed the mover after it moved " + atKill.get("moved") + "; it held " + heldAtKill.size()
                    + " claims");
            assertThat(atKill.get("migrating").asBoolean()).as("killed in the middle of the migration").isTrue();
            victim.close();
            CompletableFuture.allOf(producers).get(120, TimeUnit.SECONDS);
            cancelled.forEach(expectedDue::remove);
            expectedDue.putAll(rescheduled);
            JsonNode grownRecord = awaitLayout(http, r -> r.get("epoch").asLong() == grown + 1 && !r.get("migrating").asBoolean(), 180);
            long finishedAt = millis(grownRecord.get("finishedAt"));
            long writesDuring = writtenAt.stream().filter(t -> t < finishedAt).count();
            assertThat(writesDuring).as("producer writes before the migration finished").isGreaterThanOrEqualTo(1_000);
            long grownMillis = millis(grownRecord.get("finishedAt")) - millis(grownRecord.get("startedAt"));
            DrillFigures.progress("16 -> 64 finished: moved " + grownRecord.get("moved") + " in " + grownMillis + " ms");

            // 64 -> 16 with new reminders coming in
            long shrunk = startMigration(http, 16);
            Set<String> late = DrillEnvironment.load(survivor.port(), REMINDERS, REMINDERS + 5_000, i -> start + 45_000 + i % 15_000);
            for (int i = REMINDERS; i < REMINDERS + 5_000; i++) {
                expectedDue.put(id(i), start + 45_000 + i % 15_000);
            }
            assertThat(late).hasSize(5_000);
            JsonNode shrunkRecord = awaitLayout(http, r -> r.get("epoch").asLong() == shrunk + 1 && !r.get("migrating").asBoolean(), 180);
            long shrunkMillis = millis(shrunkRecord.get("finishedAt")) - millis(shrunkRecord.get("startedAt"));
            DrillFigures.progress("64 -> 16 finished: moved " + shrunkRecord.get("moved") + " in " + shrunkMillis + " ms");

            Set<String> seen = new HashSet<>();
            int[] counted = {0};
            reader.readUntil(received -> {
                for (; counted[0] < received.size(); counted[0]++) {
                    seen.addAll(received.get(counted[0]).reminderIds());
                }
                return seen.containsAll(expectedDue.keySet());
            }, Duration.ofSeconds(180));
            List<TopicReader.Received> messages = reader.readFor(Duration.ofSeconds(3)); // late repeats, if any
            Deliveries deliveries = new Deliveries(messages);

            int early = 0;
            int oldVersions = 0;
            List<Long> lateness = new ArrayList<>();
            List<Long> latenessNotHeld = new ArrayList<>(); // of reminders the killed process did not hold
            for (TopicReader.Received message : messages) {
                for (JsonNode r : message.json().get("reminders")) {
                    String id = r.get("id").asText();
                    long due = Instant.parse(r.get("dueAt").asText()).toEpochMilli();
                    lateness.add(message.timestamp() - due);
                    if (!heldAtKill.contains(id)) {
                        latenessNotHeld.add(message.timestamp() - due);
                    }
                    if (message.timestamp() < due) {
                        early++;
                    }
                    if (rescheduled.containsKey(id) && (!"v2".equals(r.get("title").asText()) || due != rescheduled.get(id))) {
                        oldVersions++;
                    }
                }
            }
            lateness.sort(null);
            latenessNotHeld.sort(null);
            Set<String> cancelledArrived = new HashSet<>(cancelled);
            cancelledArrived.retainAll(seen);
            Set<String> duplicated = deliveries.duplicated();
            DrillFigures.record("resharding 16 -> 64 -> 16 (mover killed)", expectedDue.size() + " expected ("
                    + REMINDERS + " loaded, " + cancelled.size() + " cancelled and " + rescheduled.size()
                    + " rescheduled during 16 -> 64 (" + writesDuring + " of " + writtenAt.size()
                    + " writes before it finished), 5000 new during 64 -> 16); 16 -> 64 moved " + grownRecord.get("moved")
                    + " in " + grownMillis + " ms (mover killed after " + atKill.get("moved") + ", the survivor finished "
                    + (millis(grownRecord.get("finishedAt")) - killedAt) + " ms after the kill); 64 -> 16 moved "
                    + shrunkRecord.get("moved") + " in " + shrunkMillis + " ms; delivered " + deliveries.distinct()
                    + ", lost " + deliveries.missingOf(expectedDue.keySet()).size() + ", early " + early
                    + ", cancelled that arrived " + cancelledArrived.size() + ", old versions " + oldVersions
                    + ", duplicates " + duplicated.size() + " (all held by the killed process: " + heldAtKill.containsAll(duplicated)
                    + ", same messageId: " + deliveries.duplicatedWithDifferentMessageIds().isEmpty() + "); lateness p50 "
                    + percentile(lateness, 0.50) + " ms, p99 " + percentile(lateness, 0.99) + " ms, max "
                    + lateness.get(lateness.size() - 1) + " ms; of those the killed process did not hold: p99 "
                    + percentile(latenessNotHeld, 0.99) + " ms, max " + latenessNotHeld.get(latenessNotHeld.size() - 1) + " ms");

            assertThat(deliveries.missingOf(expectedDue.keySet())).as("lost").isEmpty();
            assertThat(early).as("delivered before due").isZero();
            assertThat(cancelledArrived).as("cancelled during the migration, delivered anyway").isEmpty();
            assertThat(oldVersions).as("rescheduled during the migration, delivered in the old version").isZero();
            assertThat(heldAtKill).as("duplicates come only from what the killed process held").containsAll(duplicated);
            assertThat(deliveries.duplicatedWithDifferentMessageIds()).as("duplicates with another messageId:\n"
                    + deliveries.describeDiffering(5)).isEmpty();
            for (int shard = 16; shard < 64; shard++) {
                assertThat(DrillEnvironment.keysOf(redis.port(), "reminders:{" + shard + "}:*")).as("shard %d after shrinking", shard)
                        .noneMatch(key -> key.matches(".*:(due|payload|inflight|dead|moving)"));
            }
        }
    }

    /**
     * One of {@link #PRODUCERS} producers, each with a slice of the ids: cancels every 40th reminder, reschedules
     * the others the producer touches (in batches of 100 between the cancels).
     */
    static void produce(Http http, int slice, long start, Set<String> cancelled, Map<String, Long> rescheduled,
            List<Long> writtenAt) {
        StringBuilder batch = new StringBuilder("[");
        int inBatch = 0;
        for (int i = slice * 20; i < REMINDERS; i += 20 * PRODUCERS) {
            if (i % 40 == 0) {
                HttpResponse<String> gone = http.delete("/api/reminders/" + user(i) + "/r" + i);
                assertThat(gone.statusCode()).as(id(i) + " " + gone.body()).isEqualTo(204);
                cancelled.add(id(i));
                writtenAt.add(System.currentTimeMillis());
            } else {
                long due = start + 20_000 + (i * 13L) % 40_000;
                batch.append(inBatch == 0 ? "" : ",").append("{\"userId\":\"").append(user(i)).append("\",\"subject\":\"r")
                        .append(i).append("\",\"dueAt\":").append(due).append(",\"title\":\"v2\",\"body\":\"moved\"}");
                rescheduled.put(id(i), due);
                if (++inBatch == 100) {
                    reschedule(http, batch);
                    writtenAt.add(System.currentTimeMillis());
                    batch = new StringBuilder("[");
                    inBatch = 0;
                }
            }
        }
        if (inBatch > 0) {
            reschedule(http, batch);
            writtenAt.add(System.currentTimeMillis());
        }
    }

    static void reschedule(Http http, StringBuilder batch) {
        HttpResponse<String> replaced = http.post("/api/reminders/batch", batch.append(']').toString());
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.body()).contains("\"rejected\":0");
    }

    static long due(long start, int i) {
        return i % 20 == 0 ? start + 300_000 + i % 1_000 : start + (i * 7_919L) % 60_000;
    }

    static String user(int i) {
        return "u" + i / 2;
    }

    static String id(int i) {
        return user(i) + ":r" + i;
    }

    static long startMigration(Http http, int count) throws Exception {
        HttpResponse<String> started = http.post("/api/operator/layout", "{\"shardCount\":" + count + "}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        DrillFigures.progress("migration to " + count + " shards started: " + started.body());
        return JSON.readTree(started.body()).get("epoch").asLong();
    }

    static JsonNode layout(Http http) throws Exception {
        HttpResponse<String> answer = http.get("/api/operator/layout");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    interface Condition {
        boolean holds(JsonNode layout);
    }

    static JsonNode awaitLayout(Http http, Condition condition, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        long lastReport = 0;
        while (true) {
            JsonNode now = layout(http);
            if (condition.holds(now)) {
                return now;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the layout did not get there in " + seconds + " s: " + now);
            }
            if (System.currentTimeMillis() - lastReport > 5_000) {
                DrillFigures.progress("layout: " + now);
                lastReport = System.currentTimeMillis();
            }
            Thread.sleep(100);
        }
    }

    static long millis(JsonNode instant) {
        return Instant.parse(instant.asText()).toEpochMilli();
    }

    static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
