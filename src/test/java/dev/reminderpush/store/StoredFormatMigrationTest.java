package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Reminders and dead letters written by a format-1 build are readable, claimable and redrivable after the upgrade. */
class StoredFormatMigrationTest extends IntegrationTest {

    @Autowired
    StoredFormatMigration migration;

    @Autowired
    ReminderStore store;

    @Autowired
    DeadLetterStore deadLetters;

    @Autowired
    ReminderKeys keys;

    @Test
    void formatOnePayloadsAndDeadLettersAreConvertedOnce() {
        String scheduled = "{\"rev\":7,\"v\":1,\"userId\":\"42\",\"subject\":\"a\",\"channel\":\"http\",\"dueAt\":1893491940000,"
                + "\"title\":\"T\",\"body\":\"B\",\"data\":{\"big\":12345678901234567,\"channel\":\"kafka\"},\"scheduledAt\":1763690000000}";
        String deadPayload = "{\"rev\":8,\"v\":1,\"userId\":\"42\",\"subject\":\"d\",\"dueAt\":1763690000000,\"title\":\"T2\","
                + "\"body\":\"B2\",\"data\":{\"payload\":{\"rev\":1}},\"scheduledAt\":1763680000000}";
        String dead = "{\"deadAt\":1763690001000,\"reason\":\"rejected\",\"error\":\"HTTP 400\",\"attempts\":1,\"channel\":\"kafka\","
                + "\"messageId\":\"m\",\"payload\":" + deadPayload + "}";
        int shard = store.shardOf("42");
        redis.opsForHash().put(keys.payload(shard), "42:a", scheduled);
        redis.opsForZSet().add(keys.due(shard), "42:a", 1893491940000d);
        redis.opsForHash().put(keys.dead(shard), "42:d", dead);
        redis.opsForZSet().add(keys.deadAt(shard), "42:d", 1763690001000d);

        migration.migrate();

        assertThat(redis.opsForValue().get(keys.formatMarker())).isEqualTo("2");
        StoredReminder a = store.find(new ReminderId("42", "a")).orElseThrow();
        assertThat(a.revision()).isEqualTo(7);
        assertThat(a.reminder().channel()).isEqualTo("http");
        assertThat(a.reminder().dueAt().toEpochMilli()).isEqualTo(1893491940000L);
        assertThat(a.reminder().data().get("big").asLong()).isEqualTo(12345678901234567L);
        assertThat(a.scheduledAt().toEpochMilli()).isEqualTo(1763690000000L);

        DeadLetterStore.DeadLetter letter = deadLetters.list(null, 10).items().get(0);
        assertThat(letter.reason()).isEqualTo("rejected");
        assertThat(letter.channel()).isEqualTo("kafka");
        assertThat(letter.reminder().reminder().title()).isEqualTo("T2");
        assertThat(letter.reminder().reminder().data().get("payload").get("rev").asInt()).isEqualTo(1);
        assertThat(deadLetters.redrive(java.util.List.of(new ReminderId("42", "d"))).redriven()).isEqualTo(1);
        assertThat(store.find(new ReminderId("42", "d")).orElseThrow().reminder().body()).isEqualTo("B2");

        String converted = (String) redis.opsForHash().get(keys.payload(shard), "42:a");
        migration.migrate(); // recorded: nothing to do, nothing changes
        assertThat(redis.opsForHash().get(keys.payload(shard), "42:a")).isEqualTo(converted);
    }
}
