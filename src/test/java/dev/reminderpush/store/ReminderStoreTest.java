package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.RedisSnapshot;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.script.RedisScript;

class ReminderStoreTest extends IntegrationTest {

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final RedisScript<List<List<String>>> BOTH = (RedisScript) RedisScript.of(
            "return {redis.call('ZRANGE', KEYS[1], 0, -1), redis.call('HKEYS', KEYS[2])}", List.class);

    @Autowired
    ReminderStore store;

    @Autowired
    ReminderKeys keys;

    @Autowired
    ObjectMapper mapper;

    final Instant due = Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS);

    Reminder reminder(String user, String subject, Instant dueAt, String title) {
        ObjectNode data = mapper.createObjectNode().put("big", 12345678901234567L);
        return new Reminder(new ReminderId(user, subject), dueAt, title, "body", null, data);
    }

    @Test
    void scheduleWritesDueEntryAndPayloadWithRevision() throws Exception {
        ScheduleOutcome outcome = store.schedule(reminder("42", "coupon-7", due, "hello"));

        assertThat(outcome.created()).isTrue();
        assertThat(outcome.shard()).isEqualTo(13);
        assertThat(redis.opsForZSet().score(keys.due(13), "42:coupon-7")).isEqualTo((double) due.toEpochMilli());
        String payload = (String) redis.opsForHash().get(keys.payload(13), "42:coupon-7");
        assertThat(payload).startsWith(outcome.revision() + "|" + outcome.dueAt().toEpochMilli() + "||");
        StoredPayload stored = StoredPayload.parse(payload);
        assertThat(stored.revision()).isEqualTo(outcome.revision());
        assertThat(stored.channel()).isNull();
        assertThat(mapper.readTree(stored.content()).get("data").get("big").asLong()).isEqualTo(12345678901234567L);
    }

    @Test
    void scheduleTwiceReplacesScorePayloadAndRevision() {
        ScheduleOutcome first = store.schedule(reminder("42", "coupon-7", due, "first"));
        ScheduleOutcome second = store.schedule(reminder("42", "coupon-7", due.plusSeconds(30), "second"));

        assertThat(second.created()).isFalse();
        assertThat(second.revision()).isGreaterThan(first.revision());
        assertThat(redis.opsForZSet().size(keys.due(13))).isEqualTo(1);
        assertThat(redis.opsForZSet().score(keys.due(13), "42:coupon-7")).isEqualTo((double) due.plusSeconds(30).toEpochMilli());
        StoredReminder stored = store.find(new ReminderId("42", "coupon-7")).orElseThrow();
        assertThat(stored.reminder().title()).isEqualTo("second");
        assertThat(stored.revision()).isEqualTo(second.revision());
        assertThat(stored.state()).isEqualTo(StoredReminder.State.SCHEDULED);
    }

    @Test
    void cancelRemovesBothAndReportsUnknown() {
        store.schedule(reminder("42", "coupon-7", due, "x"));
        assertThat(store.cancel(new ReminderId("42", "coupon-7"))).isTrue();
        assertThat(redis.opsForZSet().size(keys.due(13))).isZero();
        assertThat(redis.opsForHash().size(keys.payload(13))).isZero();
        assertThat(store.cancel(new ReminderId("42", "coupon-7"))).isFalse();
        assertThat(store.find(new ReminderId("42", "coupon-7"))).isEmpty();
    }

    @Test
    void claimedReminderReadsAsDelivering() {
        store.schedule(reminder("42", "coupon-7", due, "x"));
        redis.opsForZSet().remove(keys.due(13), "42:coupon-7"); // what a dispatcher's claim does to the due set
        assertThat(store.find(new ReminderId("42", "coupon-7")).orElseThrow().state())
                .isEqualTo(StoredReminder.State.DELIVERING);
    }

    @Test
    void batchSpreadsOverShardsKeepsOrderAndLastOneWins() {
        List<Reminder> batch = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) { // more than one script chunk for some shards
            batch.add(reminder("user-" + i, "s", due.plusMillis(i), "t" + i));
        }
        batch.add(reminder("user-5", "s", due.plusSeconds(99), "replaced in the same batch"));

        List<ScheduleOutcome> outcomes = store.schedule(batch);

        assertThat(outcomes).hasSize(1_201);
        for (int i = 0; i < 1_200; i++) {
            assertThat(outcomes.get(i).id().userId()).isEqualTo("user-" + i);
            assertThat(outcomes.get(i).created()).isTrue();
        }
        assertThat(outcomes.get(1_200).created()).isFalse();
        long total = 0;
        for (int shard = 0; shard < 16; shard++) {
            long size = redis.opsForZSet().size(keys.due(shard));
            assertThat(size).as("shard %d", shard).isPositive();
            assertThat(redis.opsForHash().size(keys.payload(shard))).isEqualTo(size);
            total += size;
        }
        assertThat(total).isEqualTo(1_200);
        assertThat(store.find(new ReminderId("user-5", "s")).orElseThrow().reminder().title())
                .isEqualTo("replaced in the same batch");
    }

    @Test
    void everyKeyCarriesItsShardHashTag() {
        for (int i = 0; i < 200; i++) {
            store.schedule(reminder("u" + i, "s", due, "t"));
        }
        Pattern shardKey = Pattern.compile("reminders:\\{(\\d+)}:(due|payload|rev|epoch)");
        for (String key : redis.keys("*")) {
            if (RedisSnapshot.isLayoutKey(key)) {
                continue; // the layout record and the tombstone for old releases: global, read by every instance
            }
            var m = shardKey.matcher(key);
            assertThat(m.matches()).as(key).isTrue();
            assertThat(Integer.parseInt(m.group(1))).isBetween(0, 15);
        }
        // each member sits in the shard its user maps to
        ShardFunction shards = new ShardFunction(16);
        for (int shard = 0; shard < 16; shard++) {
            for (String id : redis.opsForZSet().range(keys.due(shard), 0, -1)) {
                assertThat(shards.shardOf(ReminderId.parse(id).userId())).isEqualTo(shard);
            }
        }
    }

    /**
     * Writers schedule and cancel at random while a reader takes consistent snapshots (MULTI/EXEC) of the
     * due set and the payload hash: at no instant may one hold an id the other lacks.
     */
    @Test
    void dueEntryAndPayloadAppearAndVanishTogether() throws Exception {
        int shard = new ShardFunction(16).shardOf("42");
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            writers.add(pool.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 1_500; i++) {
                    String subject = "s" + random.nextInt(20);
                    if (random.nextBoolean()) {
                        store.schedule(reminder("42", subject, due.plusMillis(random.nextInt(1000)), "t"));
                    } else {
                        store.cancel(new ReminderId("42", subject));
                    }
                }
            }));
        }
        Future<Integer> reader = pool.submit(() -> {
            int snapshots = 0;
            while (running.get()) {
                // one atomic read of both keys (a script: MULTI is not available on a Redis Cluster connection)
                List<List<String>> both = redis.execute(BOTH, List.of(keys.due(shard), keys.payload(shard)));
                assertThat(new HashSet<>(both.get(0))).isEqualTo(new HashSet<>(both.get(1)));
                snapshots++;
            }
            return snapshots;
        });
        for (Future<?> writer : writers) {
            writer.get();
        }
        running.set(false);
        assertThat(reader.get()).isPositive();
        pool.shutdown();
    }
}
