package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Priority lanes in the store: what a claim takes from which lane, and every script keeping a reminder in its lane. */
class PriorityLanesTest extends IntegrationTest {

    @Autowired
    DispatchStore dispatch;

    @Autowired
    ReminderStore store;

    @Autowired
    DeadLetterStore deadLetters;

    @Autowired
    ReminderKeys keys;

    @Autowired
    ObjectMapper mapper;

    @LocalServerPort
    int port;

    final ShardFunction shards = new ShardFunction(16);
    final long now = System.currentTimeMillis();
    final int shard = shards.shardOf("42");

    /** Distinct users of the test shard, so no claim extends a limit to finish a user's reminders. */
    List<String> users(String prefix, int count) {
        List<String> users = new ArrayList<>();
        for (int i = 0; users.size() < count; i++) {
            if (shards.shardOf(prefix + i) == shard) {
                users.add(prefix + i);
            }
        }
        return users;
    }

    void schedule(String user, String subject, long due, Priority lane) {
        store.schedule(new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(due), "t", "b", null, null, lane));
    }

    ClaimResult claim(int limit, long leaseMillis) {
        return claim(limit, leaseMillis, "a", false);
    }

    ClaimResult claim(int limit, long leaseMillis, String owner, boolean oneOff) {
        return dispatch.claim(shard, new DispatchStore.ClaimRequest(limit, leaseMillis, "c:" + System.nanoTime(), owner,
                5_000, 0, 100, 0, 0, DispatchStore.LaneShares.DEFAULT, oneOff));
    }

    Map<String, Long> byLane(ClaimResult result) {
        return result.claimed().stream().collect(Collectors.groupingBy(c -> c.id().userId().replaceAll("\\d+$", ""),
                Collectors.counting()));
    }

    @Test
    void aClaimSharesItsRoomSixThreeOne() {
        for (Priority lane : Priority.values()) {
            for (String user : users(lane.label(), 20)) {
                schedule(user, "s", now - 1_000, lane);
            }
        }
        ClaimResult first = claim(10, 30_000);
        assertThat(first.full()).isTrue();
        assertThat(byLane(first)).isEqualTo(Map.of("high", 6L, "normal", 3L, "low", 1L));
        assertThat(first.nextHigh()).isEqualTo(now - 1_000); // 14 high left, due
    }

    @Test
    void aLaneWithLessThanItsShareLeavesTheRestToTheOthers() {
        for (String user : users("high", 2)) {
            schedule(user, "s", now - 1_000, Priority.HIGH);
        }
        for (Priority lane : List.of(Priority.NORMAL, Priority.LOW)) {
            for (String user : users(lane.label(), 20)) {
                schedule(user, "s", now - 1_000, lane);
            }
        }
        assertThat(byLane(claim(10, 30_000))).isEqualTo(Map.of("high", 2L, "normal", 6L, "low", 2L));
        assertThat(claim(10, 30_000).nextHigh()).isEqualTo(ShardHeads.NONE);
    }

    @Test
    void theAgeRuleTakesWhatWaitedLongestWhateverItsLaneAndNothingEarly() {
        schedule(users("low", 1).get(0), "waited-20s", now - 20_000, Priority.LOW);
        schedule(users("normal", 1).get(0), "waited-15s", now - 15_000, Priority.NORMAL);
        schedule(users("high", 1).get(0), "fresh", now - 1_000, Priority.HIGH);
        schedule(users("high", 2).get(1), "future", now + 60_000, Priority.HIGH);

        // overdue by more than max-wait (10 s): oldest first, before the fresh high one
        assertThat(claim(1, 30_000).claimed()).extracting(c -> c.id().subject()).containsExactly("waited-20s");
        assertThat(claim(1, 30_000).claimed()).extracting(c -> c.id().subject()).containsExactly("waited-15s");
        ClaimResult rest = claim(10, 30_000);
        assertThat(rest.claimed()).extracting(c -> c.id().subject()).containsExactly("fresh");
        assertThat(rest.full()).isFalse();
        assertThat(rest.nextDue()).isEqualTo(now + 60_000);
        assertThat(rest.nextHigh()).isEqualTo(now + 60_000);
    }

    @Test
    void whileHighIsDueTheAgeRuleLeavesItItsShare() {
        for (String user : users("normal", 20)) {
            schedule(user, "waited-20s", now - 20_000, Priority.NORMAL);
        }
        for (String user : users("high", 20)) {
            schedule(user, "fresh", now - 1_000, Priority.HIGH);
        }
        // lanes due: high (6) and normal (3): high keeps floor(10 * 6 / 9) = 6, the age rule takes the other 4
        assertThat(byLane(claim(10, 30_000))).isEqualTo(Map.of("high", 6L, "normal", 4L));
    }

    @Test
    void roomTooSmallToShareStillServesEveryLane() {
        for (Priority lane : List.of(Priority.HIGH, Priority.LOW)) {
            for (String user : users(lane.label(), 200)) {
                schedule(user, "s", now - 1_000, lane);
            }
        }
        Map<String, Long> taken = new HashMap<>();
        for (int i = 0; i < 140; i++) { // one slot each: picked by weight (6:1) from Redis time
            byLane(claim(1, 30_000)).forEach((lane, n) -> taken.merge(lane, n, Long::sum));
        }
        assertThat(taken.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(140);
        assertThat(taken.getOrDefault("low", 0L)).isPositive();
        assertThat(taken.get("high")).isGreaterThan(taken.getOrDefault("low", 0L));
    }

    @Test
    void aOneOffClaimLeavesTheDrainLeaseAsItFoundIt() {
        for (String user : users("high", 20)) {
            schedule(user, "s", now - 1_000, Priority.HIGH);
        }
        ClaimResult oneOff = claim(5, 30_000, "a", true);
        assertThat(oneOff.full()).isTrue();
        assertThat(redis.hasKey(keys.drainer(shard))).isFalse();
        assertThat(claim(5, 30_000, "b", false).busy()).isFalse(); // another instance drains the rest at once

        // b drains now: a's one-off claim is refused, and a's drain lease, once a holds one, stays
        assertThat(claim(5, 30_000, "a", true).busy()).isTrue();
        redis.delete(keys.drainer(shard));
        assertThat(claim(2, 30_000, "a", false).full()).isTrue();
        assertThat(claim(2, 30_000, "a", true).full()).isTrue();
        assertThat(redis.opsForValue().get(keys.drainer(shard))).isEqualTo("a");
    }

    @Test
    void aReplaceMovesTheReminderToItsNewLaneAndCancelAndAckForgetTheMark() {
        schedule("42", "x", now + 60_000, Priority.HIGH);
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.HIGH), "42:x")).isNotNull();
        assertThat(store.find(new ReminderId("42", "x")).orElseThrow().reminder().priority()).isEqualTo(Priority.HIGH);

        schedule("42", "x", now + 60_000, Priority.LOW);
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.HIGH), "42:x")).isNull();
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.LOW), "42:x")).isNotNull();

        schedule("42", "x", now - 10, Priority.NORMAL); // a replace without a priority is normal again
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.LOW), "42:x")).isNull();
        assertThat(redis.opsForZSet().score(keys.due(shard), "42:x")).isNotNull();
        assertThat(redis.opsForHash().hasKey(keys.lanes(shard), "42:x")).isFalse();

        schedule("42", "y", now + 60_000, Priority.HIGH);
        assertThat(store.cancel(new ReminderId("42", "y"))).isTrue();
        assertThat(redis.opsForHash().hasKey(keys.lanes(shard), "42:y")).isFalse();
        assertThat(redis.opsForZSet().size(keys.due(shard, Priority.HIGH))).isZero();

        schedule("42", "z", now - 10, Priority.LOW);
        List<ClaimedReminder> claimed = claim(10, 30_000).claimed();
        assertThat(dispatch.ack(shard, claimed)).isEqualTo(2);
        assertThat(redis.hasKey(keys.lanes(shard))).isFalse();
    }

    @Test
    void reapAndReleaseReturnAReminderToItsOwnLane() {
        schedule("42", "h", now - 10, Priority.HIGH);
        schedule("42", "l", now - 10, Priority.LOW);
        assertThat(claim(10, -1).claimed()).hasSize(2); // a lease already expired
        assertThat(dispatch.reap(shard, 100, 5).requeued()).isEqualTo(2);
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.HIGH), "42:h")).isNotNull();
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.LOW), "42:l")).isNotNull();

        List<ClaimedReminder> again = claim(10, 30_000).claimed();
        assertThat(dispatch.release(shard, again)).isEqualTo(2);
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.HIGH), "42:h")).isNotNull();
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.LOW), "42:l")).isNotNull();
        assertThat(redis.opsForZSet().size(keys.due(shard))).isZero();
    }

    @Test
    void aDeadLetterKeepsItsLaneThroughARedrive() {
        schedule("42", "x", now - 10, Priority.HIGH);
        ClaimedReminder claimed = claim(10, 30_000).claimed().get(0);
        dispatch.deadLetter(shard, List.of(new DispatchStore.Failure(claimed, "\"reason\":\"rejected\",\"error\":\"no\",\"attempts\":1")));
        assertThat(store.find(new ReminderId("42", "x")).orElseThrow().reminder().priority()).isEqualTo(Priority.HIGH);

        assertThat(deadLetters.redrive(List.of(new ReminderId("42", "x"))).redriven()).isEqualTo(1);
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.HIGH), "42:x")).isNotNull();
        assertThat(redis.opsForZSet().size(keys.due(shard))).isZero();
    }

    @Test
    void theApiTakesAPriorityAndShowsItAndRefusesAnythingElse() throws Exception {
        Http http = new Http(port);
        String due = Instant.ofEpochMilli(now + 3_600_000).toString();
        HttpResponse<String> put = http.put("/api/reminders/42/p",
                "{\"dueAt\":\"" + due + "\",\"title\":\"t\",\"body\":\"b\",\"priority\":\"high\"}");
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(mapper.readTree(http.get("/api/reminders/42/p").body()).get("priority").asText()).isEqualTo("high");
        assertThat(redis.opsForZSet().score(keys.due(shard, Priority.HIGH), "42:p")).isNotNull();

        for (String bad : List.of("\"urgent\"", "\"HIGH\"", "1", "true")) {
            HttpResponse<String> refused = http.put("/api/reminders/42/p",
                    "{\"dueAt\":\"" + due + "\",\"title\":\"changed\",\"body\":\"b\",\"priority\":" + bad + "}");
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            JsonNode error = mapper.readTree(refused.body());
            assertThat(error.get("field").asText()).isEqualTo("priority");
        }
        JsonNode kept = mapper.readTree(http.get("/api/reminders/42/p").body());
        assertThat(kept.get("title").asText()).isEqualTo("t");
        assertThat(kept.get("priority").asText()).isEqualTo("high");
        assertThat(kept.get("revision").asLong()).isEqualTo(mapper.readTree(put.body()).get("revision").asLong());
    }
}
