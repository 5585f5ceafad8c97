package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.IntegrationTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The Lua protocol of dispatch, step by step, against a real Redis (the poller is off in this context). */
class DispatchStoreTest extends IntegrationTest {

    @Autowired
    DispatchStore dispatch;

    @Autowired
    ReminderStore store;

    @Autowired
    DeadLetterStore deadLetters;

    @Autowired
    ReminderKeys keys;

    final ShardFunction shards = new ShardFunction(16);
    final long now = System.currentTimeMillis();

    ScheduleOutcome schedule(String user, String subject, long due, String title) {
        return store.schedule(new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(due), title, "b", null, null));
    }

    ClaimResult claim(int shard, String owner, int limit, long leaseMillis) {
        return dispatch.claim(shard, new DispatchStore.ClaimRequest(limit, leaseMillis, owner + ":" + System.nanoTime(), owner,
                5_000, 1_000, 100));
    }

    @Test
    void claimTakesOnlyDueEntriesInOrderUpToTheLimitAndLeasesThem() {
        int shard = shards.shardOf("42");
        schedule("42", "later", now + 60_000, "t");
        for (int i = 0; i < 5; i++) { // two users taking turns: the limit never falls inside one user's run
            schedule(i % 2 == 0 ? "42" : neighbourOf("42", true), "due-" + i, now - 1_000 + i, "t" + i);
        }
        ClaimResult first = claim(shard, "a", 3, 30_000);
        assertThat(first.busy()).isFalse();
        assertThat(first.full()).isTrue();
        assertThat(first.claimed()).extracting(c -> c.id().subject()).containsExactly("due-0", "due-1", "due-2");
        assertThat(first.claimed().get(0).dueMillis()).isEqualTo(now - 1_000);
        assertThat(first.claimed().get(0).content()).contains("\"title\":\"t0\"");

        ClaimResult second = claim(shard, "a", 3, 30_000);
        assertThat(second.full()).isFalse();
        assertThat(second.claimed()).extracting(c -> c.id().subject()).containsExactly("due-3", "due-4");
        assertThat(redis.opsForZSet().range(keys.due(shard), 0, -1)).containsExactly("42:later");
        assertThat(redis.opsForZSet().size(keys.inflight(shard))).isEqualTo(5);
        assertThat(store.find(new ReminderId("42", "due-0")).orElseThrow().state()).isEqualTo(StoredReminder.State.DELIVERING);
    }

    @Test
    void anotherOwnerIsTurnedAwayWhileTheShardIsBeingDrained() {
        int shard = shards.shardOf("42");
        for (int i = 0; i < 4; i++) {
            schedule("42", "s" + i, now - 10, "t");
        }
        assertThat(claim(shard, "a", 2, 30_000).full()).isTrue(); // a holds the drain lease: more may be due
        assertThat(claim(shard, "b", 2, 30_000).busy()).isTrue();
        assertThat(claim(shard, "a", 5, 30_000).full()).isFalse(); // a drained the shard and let go
        assertThat(claim(shard, "b", 5, 30_000).busy()).isFalse();
    }

    @Test
    void lookAheadNamesUsersWithRemindersDueWithinTheMergeWindow() {
        int shard = shards.shardOf("42");
        schedule("42", "now", now - 10, "t");
        schedule("42", "soon", now + 500, "t");
        schedule("42", "much-later", now + 5_000, "t");
        ClaimResult result = claim(shard, "a", 10, 30_000);
        assertThat(result.claimed()).hasSize(1);
        assertThat(result.upcoming()).containsEntry("42", now + 500).hasSize(1);
        assertThat(result.upcomingTruncated()).isFalse();
    }

    @Test
    void ackRemovesDeliveredRevisionButNotANewerOne() {
        int shard = shards.shardOf("42");
        schedule("42", "kept", now - 10, "old");
        schedule("42", "done", now - 10, "old");
        List<ClaimedReminder> claimed = claim(shard, "a", 10, 30_000).claimed();
        ScheduleOutcome newer = schedule("42", "kept", now + 60_000, "new"); // re-scheduled while in flight

        assertThat(dispatch.ack(shard, claimed)).isEqualTo(1);

        assertThat(store.find(new ReminderId("42", "done"))).isEmpty();
        StoredReminder kept = store.find(new ReminderId("42", "kept")).orElseThrow();
        assertThat(kept.revision()).isEqualTo(newer.revision());
        assertThat(kept.reminder().title()).isEqualTo("new");
        assertThat(kept.state()).isEqualTo(StoredReminder.State.SCHEDULED);
        assertThat(redis.opsForZSet().size(keys.inflight(shard))).isZero();
        assertThat(redis.opsForHash().size(keys.claims(shard))).isZero();
    }

    @Test
    void aLateAckOfAnExpiredClaimLeavesTheNewClaimInPlace() {
        int shard = shards.shardOf("42");
        schedule("42", "x", now - 10, "t");
        ClaimedReminder first = claim(shard, "a", 10, -1).claimed().get(0); // lease already expired
        assertThat(dispatch.reap(shard, 100, 5).requeued()).isEqualTo(1);
        ClaimedReminder second = claim(shard, "b", 10, 30_000).claimed().get(0);

        // a's late ack: same revision, so the payload goes (a delivered it) but b's claim record is b's
        dispatch.ack(shard, List.of(first));
        assertThat(redis.opsForHash().get(keys.claims(shard), "42:x")).isEqualTo(second.revision() + "|" + second.claimId());
        assertThat(redis.opsForZSet().score(keys.inflight(shard), "42:x")).isNotNull();
    }

    @Test
    void releaseGivesUnsentClaimsBackWithTheirDueTime() {
        int shard = shards.shardOf("42");
        schedule("42", "x", now - 123, "t");
        List<ClaimedReminder> claimed = claim(shard, "a", 10, 30_000).claimed();
        assertThat(dispatch.release(shard, claimed)).isEqualTo(1);
        assertThat(redis.opsForZSet().score(keys.due(shard), "42:x")).isEqualTo((double) (now - 123));
        assertThat(redis.opsForZSet().size(keys.inflight(shard))).isZero();
    }

    /** Another user id that lives in the same shard as {@code user} and sorts before or after it. */
    String neighbourOf(String user, boolean before) {
        for (int i = 0; ; i++) {
            String candidate = (before ? "1" : "9") + i;
            if (shards.shardOf(candidate) == shards.shardOf(user)) {
                return candidate;
            }
        }
    }

    @Test
    void aClaimNeverCutsAUsersRemindersDueAtTheSameTimeAtItsLimit() {
        // cut apart, a crash could bring them back merged differently, under another messageId
        int shard = shards.shardOf("42");
        schedule(neighbourOf("42", true), "x", now - 100, "t");
        for (int i = 0; i < 3; i++) {
            schedule("42", "s" + i, now - 100, "t");
        }
        schedule(neighbourOf("42", false), "x", now - 100, "t");
        ClaimResult first = claim(shard, "a", 2, 30_000);
        assertThat(first.claimed()).extracting(c -> c.id().toString())
                .containsExactly(neighbourOf("42", true) + ":x", "42:s0", "42:s1", "42:s2");
        assertThat(first.full()).isTrue();
        assertThat(claim(shard, "a", 2, 30_000).claimed()).extracting(c -> c.id().userId()).containsExactly(neighbourOf("42", false));
        assertThat(redis.opsForZSet().size(keys.due(shard))).isZero();
    }

    @Test
    void expiredRemindersOfOneUserComeBackSideBySideWithTheirOwnDueTimes() {
        // due 400 ms apart with another user's reminder between them: requeued at their own scores, the
        // survivor's claims could take them in different batches and send them apart (new messageIds)
        int shard = shards.shardOf("42");
        String other = neighbourOf("42", true);
        schedule("42", "early", now - 900, "t");
        schedule(other, "x", now - 700, "t");
        schedule("42", "late", now - 500, "t");
        assertThat(claim(shard, "a", 10, -1).claimed()).hasSize(3);
        assertThat(dispatch.reap(shard, 100, 3).requeued()).isEqualTo(3);

        ClaimResult again = claim(shard, "b", 2, 30_000);
        assertThat(again.claimed()).extracting(c -> c.id().toString()).containsExactlyInAnyOrder("42:early", "42:late");
        assertThat(again.claimed()).extracting(ClaimedReminder::dueMillis).containsExactlyInAnyOrder(now - 900, now - 500);
        assertThat(claim(shard, "b", 2, 30_000).claimed()).extracting(c -> c.id().userId()).containsExactly(other);
    }

    @Test
    void expiredLeasesGoBackToDueUntilTheAllowanceThenToTheDeadLetters() {
        int shard = shards.shardOf("42");
        schedule("42", "poison", now - 50, "t");
        for (int expiry = 1; expiry < 3; expiry++) {
            assertThat(claim(shard, "a", 10, -1).claimed()).hasSize(1);
            DispatchStore.Reaped reaped = dispatch.reap(shard, 100, 3);
            assertThat(reaped.requeued()).isEqualTo(1);
            assertThat(redis.opsForZSet().score(keys.due(shard), "42:poison")).isEqualTo((double) (now - 50));
        }
        assertThat(claim(shard, "a", 10, -1).claimed()).hasSize(1);
        assertThat(dispatch.reap(shard, 100, 3).deadLettered()).isEqualTo(1);

        StoredReminder dead = store.find(new ReminderId("42", "poison")).orElseThrow();
        assertThat(dead.state()).isEqualTo(StoredReminder.State.DEAD);
        DeadLetterStore.DeadLetter letter = deadLetters.list(null, 10).items().get(0);
        assertThat(letter.reason()).isEqualTo("lease_expired");
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(redis.opsForZSet().size(keys.due(shard))).isZero();
    }

    @Test
    void reaperDropsClaimsOfCancelledReminders() {
        int shard = shards.shardOf("42");
        schedule("42", "x", now - 10, "t");
        claim(shard, "a", 10, -1);
        store.cancel(new ReminderId("42", "x"));
        DispatchStore.Reaped reaped = dispatch.reap(shard, 100, 3);
        assertThat(reaped.requeued() + reaped.deadLettered()).isZero();
        assertThat(redis.opsForZSet().size(keys.inflight(shard))).isZero();
        assertThat(redis.opsForZSet().size(keys.due(shard))).isZero();
    }

    @Test
    void deadLetterKeepsThePayloadAndRedriveSchedulesItNowWithANewRevision() {
        int shard = shards.shardOf("42");
        ScheduleOutcome original = schedule("42", "x", now - 10, "keep me");
        ClaimedReminder claimed = claim(shard, "a", 10, 30_000).claimed().get(0);
        assertThat(dispatch.deadLetter(shard, List.of(new DispatchStore.Failure(claimed,
                "\"reason\":\"rejected\",\"error\":\"HTTP 400 \\\"bad\\\"\",\"attempts\":1,\"channel\":\"http\"")))).isEqualTo(1);

        DeadLetterStore.DeadLetter letter = deadLetters.list(null, 10).items().get(0);
        assertThat(letter.error()).isEqualTo("HTTP 400 \"bad\"");
        assertThat(letter.reminder().reminder().title()).isEqualTo("keep me");
        assertThat(redis.opsForZSet().size(keys.inflight(shard))).isZero();

        DeadLetterStore.Redriven redriven = deadLetters.redrive(List.of(new ReminderId("42", "x"), new ReminderId("42", "nope")));
        assertThat(redriven).isEqualTo(new DeadLetterStore.Redriven(1, 0, 1));
        StoredReminder back = store.find(new ReminderId("42", "x")).orElseThrow();
        assertThat(back.state()).isEqualTo(StoredReminder.State.SCHEDULED);
        assertThat(back.revision()).isGreaterThan(original.revision());
        assertThat(back.reminder().title()).isEqualTo("keep me");
        assertThat(back.reminder().dueAt().toEpochMilli()).as("due now, as the README says").isGreaterThanOrEqualTo(now);
        assertThat(redis.opsForZSet().score(keys.due(shard), "42:x")).isEqualTo((double) back.reminder().dueAt().toEpochMilli());
        assertThat(deadLetters.total()).isZero();
    }

    @Test
    void aNewScheduleSupersedesTheDeadLetter() {
        int shard = shards.shardOf("42");
        schedule("42", "x", now - 10, "old");
        ClaimedReminder claimed = claim(shard, "a", 10, 30_000).claimed().get(0);
        dispatch.deadLetter(shard, List.of(new DispatchStore.Failure(claimed, "\"reason\":\"rejected\"")));
        schedule("42", "x", now + 60_000, "new");
        assertThat(deadLetters.total()).isZero();
        assertThat(store.find(new ReminderId("42", "x")).orElseThrow().reminder().title()).isEqualTo("new");
    }

    @Test
    void deadLettersPageAcrossShards() {
        List<ClaimedReminder> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            schedule("u" + i, "x", now - 10, "t");
        }
        for (int shard = 0; shard < 16; shard++) {
            List<ClaimedReminder> claimed = claim(shard, "a", 100, 30_000).claimed();
            all.addAll(claimed);
            dispatch.deadLetter(shard, claimed.stream().map(c -> new DispatchStore.Failure(c, "\"reason\":\"rejected\"")).toList());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            DeadLetterStore.Page page = deadLetters.list(cursor, 7);
            assertThat(page.items().size()).isLessThanOrEqualTo(7);
            assertThat(page.total()).isEqualTo(40);
            page.items().forEach(d -> seen.add(d.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(seen).hasSize(40).doesNotHaveDuplicates();
        assertThat(all).hasSize(40);
        assertThat(deadLetters.redriveAll().redriven()).isEqualTo(40);
        assertThat(deadLetters.total()).isZero();
    }
}
