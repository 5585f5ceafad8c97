package dev.reminderpush.dispatch;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A rough flash-sale figure, not part of the suite (run with {@code ./mvnw test -Dtest=BurstProbe}):
 * 200,000 reminders for 150,000 users due at one instant, one instance with default settings, embedded
 * Redis and Kafka in the same JVM. The benchmark issue turns this into a proper benchmark.
 */
@DirtiesContext
class BurstProbe extends IntegrationTest {

    @Autowired
    ReminderStore store;

    @Autowired
    Dispatcher dispatcher;

    @Autowired
    dev.reminderpush.delivery.DeliveryGateway gateway;

    @Autowired
    dev.reminderpush.delivery.DeliveryAcks acks;

    @DynamicPropertySource
    static void dispatch(DynamicPropertyRegistry registry) {
        registry.add("reminders.dispatch.enabled", () -> "true");
        for (String extra : System.getProperty("burst.properties", "").split(",")) {
            if (extra.contains("=")) {
                registry.add(extra.substring(0, extra.indexOf('=')), () -> extra.substring(extra.indexOf('=') + 1));
            }
        }
    }

    @Test
    void burst() {
        int count = Integer.getInteger("burst.count", 200_000);
        List<Reminder> reminders = new ArrayList<>(count);
        long due = System.currentTimeMillis() + 60_000; // re-timed below, once everything is stored
        for (int i = 0; i < count; i++) {
            reminders.add(new Reminder(new ReminderId(Integer.toString(i % 150_000), "coupon-" + (i / 150_000)),
                    Instant.ofEpochMilli(due), "Coupon", "Your coupon can be claimed in one minute", null, null));
        }
        long start = System.currentTimeMillis();
        due = start + 15_000;
        List<Reminder> timed = new ArrayList<>(count);
        for (Reminder r : reminders) {
            timed.add(new Reminder(r.id(), Instant.ofEpochMilli(due), r.title(), r.body(), null, null));
        }
        for (int from = 0; from < count; from += 10_000) {
            store.schedule(timed.subList(from, Math.min(count, from + 10_000)));
        }
        System.out.printf("BURST scheduled %d in %d ms; due in %d ms%n", count, System.currentTimeMillis() - start,
                due - System.currentTimeMillis());
        long dueAt = due;
        Thread progress = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.currentTimeMillis();
                if (now >= dueAt) {
                    System.out.printf("BURST +%5d ms claimed %6d in flight %6d waiting %6d acks pending %6d%n", now - dueAt,
                            dispatcher.claimedTotal(), gateway.inFlight(), dispatcher.waitingForSiblings(), acks.pending());
                }
            }
        });
        progress.setDaemon(true);
        progress.start();
        try (TopicReader reader = TopicReader.messageCenter()) {
            List<TopicReader.Received> received = reader.readUntil(m -> reader.remindersReceived() >= count,
                    Duration.ofMinutes(3));
            long[] lateness = received.stream().flatMapToLong(m -> java.util.stream.LongStream.generate(m::timestamp)
                    .limit(m.reminderIds().size())).sorted().toArray();
            long last = lateness[lateness.length - 1];
            long finalDue = due;
            System.out.printf("BURST delivered %d reminders in %d messages; last %d ms after due; lateness p50 %d p90 %d p99 %d%n",
                    lateness.length, received.size(), last - due, lateness[lateness.length / 2] - finalDue,
                    lateness[lateness.length * 9 / 10] - finalDue, lateness[lateness.length * 99 / 100] - finalDue);
        } finally {
            progress.interrupt();
        }
    }
}
