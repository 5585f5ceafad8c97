package dev.reminderpush.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.BundleProcess;
import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.TestInfrastructure;
import dev.reminderpush.testing.TopicReader;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a bundle process in the middle of draining 50,000 due reminders (real redis-server, real
 * KRaft broker, the real jar): nothing is lost, and the only reminders sent twice are ones the killed
 * process held at that moment, each time in a message with the same messageId. Default settings: the
 * survivor delivers everything within 20 s of the kill (one 10 s lease, renewed while held, plus a reaper pass).
 */
class KillDrillIT {

    static final int REMINDERS = 50_000;
    static final int KILL_AFTER = 10_000;

    static EmbeddedRedis redis;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void infrastructure() {
        redis = new EmbeddedRedis(TestInfrastructure.freePort()).start();
        kafka = new EmbeddedKafka(0).start();
    }

    @AfterAll
    static void stopInfrastructure() {
        kafka.stop();
        redis.stop();
    }

    @BeforeEach
    void emptyRedis() {
        DrillEnvironment.flush(redis.port());
    }

    BundleProcess bundle(String name, String instanceId) throws Exception {
        BundleProcess bundle = new BundleProcess("drills", name, TestInfrastructure.freePort(),
                DrillEnvironment.bundleSettings(instanceId, redis.port(), kafka.bootstrapServers()));
        bundle.awaitReady(Duration.ofSeconds(90));
        return bundle;
    }

    /** What a kill left behind: all that was scheduled, what the victim held, what had arrived. */
    record Kill(Set<String> scheduled, Set<String> heldAtKill, long seenAtKill, long killedAt) {}

    /** Loads the reminders through {@code loader}, kills {@code victim} once {@link #KILL_AFTER} arrived. */
    private Kill killMidDrain(TopicReader reader, BundleProcess loader, BundleProcess victim, String victimId) throws Exception {
        try {
            Set<String> scheduled = DrillEnvironment.load(loader.port(), 0, REMINDERS, System.currentTimeMillis() + 3_000);
            reader.readUntil(r -> reader.remindersReceived() >= KILL_AFTER, Duration.ofSeconds(60));
            victim.kill();
            Kill kill = new Kill(scheduled, DrillEnvironment.claimedBy(redis.port(), victimId), reader.remindersReceived(),
                    System.currentTimeMillis());
            DrillFigures.progress("killed " + victimId + " after " + kill.seenAtKill() + " reminders seen; it held "
                    + kill.heldAtKill().size());
            assertThat(kill.seenAtKill()).as("killed in the middle of draining").isLessThan(REMINDERS);
            return kill;
        } finally {
            victim.close();
        }
    }

    @Test
    void killedWhileDrainingAndStartedAgain() throws Exception {
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "message-center-push")) {
            BundleProcess only = bundle("kill-restart-1", "drill-a");
            Kill kill = killMidDrain(reader, only, only, "drill-a");
            long restarted = System.currentTimeMillis();
            try (BundleProcess second = bundle("kill-restart-2", "drill-b")) {
                Deliveries deliveries = awaitAll(reader, kill.scheduled());
                verify("kill -9 and restart (1 instance)", kill, deliveries, deliveries.lastFirstArrival() - restarted);
            }
        }
    }

    @Test
    void oneOfTwoInstancesKilledTheSurvivorTakesOver() throws Exception {
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), "message-center-push");
                BundleProcess survivor = bundle("kill-pair-survivor", "drill-s")) {
            Kill kill = killMidDrain(reader, survivor, bundle("kill-pair-victim", "drill-v"), "drill-v");
            Deliveries deliveries = awaitAll(reader, kill.scheduled());
            assertThat(survivor.isAlive()).isTrue();
            long recovery = deliveries.lastFirstArrival() - kill.killedAt();
            verify("kill -9 of 1 of 2 instances", kill, deliveries, recovery);
            assertThat(recovery).as("ms from the kill to the last reminder delivered, default settings").isLessThanOrEqualTo(20_000);
        }
    }

    private static Deliveries awaitAll(TopicReader reader, Set<String> scheduled) {
        Set<String> seen = new HashSet<>();
        int[] counted = {0};
        List<TopicReader.Received> messages = reader.readUntil(received -> {
            for (; counted[0] < received.size(); counted[0]++) {
                seen.addAll(received.get(counted[0]).reminderIds());
            }
            return seen.size() >= scheduled.size();
        }, Duration.ofSeconds(120));
        messages = reader.readFor(Duration.ofSeconds(3)); // late duplicates, if any
        return new Deliveries(messages);
    }

    private static void verify(String drill, Kill kill, Deliveries deliveries, long recoveryMillis) {
        Set<String> scheduled = kill.scheduled();
        Set<String> heldAtKill = kill.heldAtKill();
        Set<String> duplicated = deliveries.duplicated();
        DrillFigures.record(drill, scheduled.size() + " scheduled, killed after " + kill.seenAtKill() + " seen, "
                + heldAtKill.size() + " held by the killed process, " + deliveries.distinct() + " delivered, lost "
                + deliveries.missingOf(scheduled).size() + ", duplicates " + duplicated.size()
                + " (all from the killed process: " + heldAtKill.containsAll(duplicated) + ", same messageId: "
                + deliveries.duplicatedWithDifferentMessageIds().isEmpty() + "), all delivered "
                + recoveryMillis + " ms after the kill/restart");
        assertThat(deliveries.missingOf(scheduled)).as("lost reminders").isEmpty();
        assertThat(heldAtKill).as("duplicates come only from what the killed process held").containsAll(duplicated);
        assertThat(deliveries.duplicatedWithDifferentMessageIds()).as("duplicates with another messageId:\n"
                + deliveries.describeDiffering(5)).isEmpty();
    }
}
