package dev.reminderpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.RedisSnapshot;
import dev.reminderpush.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Generated hostile commands on the Kafka command topic (jqwik generators): random JSON with nasty ids,
 * dates around the limits, broken bytes, deep nesting, a near-1 MB record. Every command is either applied
 * or parked byte for byte (exactly those the parser rejects), the route keeps going, and every key stays
 * inside its shard's hash tag.
 */
class HostileCommandsTest extends IntegrationTest {

    private static final Pattern SHARD_KEY = Pattern.compile("reminders:\\{\\d{1,2}}:[a-z-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    ReminderRequestParser parser;

    @Autowired
    ReminderStore store;

    final Random random = new Random(2027);

    String text() {
        return random.nextInt(4) > 0 ? "u" + random.nextInt(1_000_000) : HostileInputTest.nastyText(20).sample();
    }

    Object dueAt() {
        Instant now = Instant.now();
        return switch (random.nextInt(random.nextBoolean() ? 3 : 8)) { // half the time a valid one
            case 0 -> now.plus(1, ChronoUnit.HOURS).toString();
            case 1 -> now.plus(399, ChronoUnit.DAYS).toString();          // inside max-future (400 d)
            case 2 -> now.minus(59, ChronoUnit.MINUTES).toString();       // inside max-past (1 h)
            case 3 -> now.plus(401, ChronoUnit.DAYS).toString();          // beyond
            case 4 -> now.minus(61, ChronoUnit.MINUTES).toString();       // beyond
            case 5 -> now.plus(1, ChronoUnit.HOURS).toEpochMilli();
            case 6 -> Arbitraries.of("2026-02-30T00:00:00Z", "+999999999-12-31T23:59:59Z", "", "soon").sample();
            default -> random.nextLong();
        };
    }

    byte[] command() throws Exception {
        switch (random.nextInt(12)) {
            case 0:
                return new byte[] {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
            case 1:
                return ("{\"type\":\"schedule\",\"data\":" + "[".repeat(3_000) + "]".repeat(3_000) + "}").getBytes(StandardCharsets.UTF_8);
            case 2:
                return ("{\"type\":\"schedule\",\"userId\":\"u1\",\"subject\":\"big\",\"dueAt\":\"" + Instant.now().plusSeconds(3600)
                        + "\",\"title\":\"" + "x".repeat(900_000) + "\",\"body\":\"b\"}").getBytes(StandardCharsets.UTF_8);
            case 3:
                return HostileInputTest.nastyText(60).sample().getBytes(StandardCharsets.UTF_8);
            default:
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("type", Arbitraries.of("schedule", "schedule", "schedule", "schedule", "cancel", "CANCEL", "drop").sample());
                fields.put("userId", text());
                fields.put("subject", text());
                fields.put("dueAt", dueAt());
                if (random.nextInt(4) > 0) {
                    fields.put("title", HostileInputTest.nastyText(40).sample());
                    fields.put("body", HostileInputTest.nastyText(40).sample());
                }
                if (random.nextInt(6) == 0) {
                    fields.put(HostileInputTest.nastyText(5).sample(), 1);
                }
                return JSON.writeValueAsBytes(fields);
        }
    }

    @Test
    void randomCommandsAreAppliedOrParkedNeverLostAndTheRouteGoesOn() throws Exception {
        String key = "hostile-" + UUID.randomUUID();
        List<byte[]> commands = new ArrayList<>();
        List<String> expectedParked = new ArrayList<>();
        Map<ReminderId, Integer> validSchedules = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            byte[] command = command();
            commands.add(command);
            try {
                Command parsed = parser.parseCommand(command);
                if (parsed instanceof Command.Schedule schedule) {
                    validSchedules.merge(schedule.reminder().id(), 1, Integer::sum);
                } else if (parsed instanceof Command.Cancel cancel) {
                    validSchedules.merge(cancel.id(), 2, Integer::sum); // not checked: it may cancel a schedule
                }
            } catch (InvalidReminderException e) {
                expectedParked.add(Base64.getEncoder().encodeToString(command));
            }
        }
        String last = "{\"type\":\"schedule\",\"userId\":\"" + key + "\",\"subject\":\"last\",\"dueAt\":\""
                + Instant.now().plusSeconds(3600) + "\",\"title\":\"t\",\"body\":\"b\"}";
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.get().kafkaBootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "2000000"), new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] command : commands) {
                producer.send(new ProducerRecord<>("reminder-commands", key, command)).get();
            }
            producer.send(new ProducerRecord<>("reminder-commands", key, last.getBytes(StandardCharsets.UTF_8))).get();
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> store.find(new ReminderId(key, "last")).isPresent());

        assertThat(parkedFor(key, expectedParked.size())).as("parked byte for byte, exactly the rejected ones")
                .containsExactlyInAnyOrderElementsOf(expectedParked);
        validSchedules.forEach((id, count) -> {
            if (count == 1) {
                assertThat(store.find(id)).as("valid schedule of " + id).isPresent();
            }
        });
        for (String redisKey : redis.keys("*")) {
            assertThat(RedisSnapshot.isLayoutKey(redisKey) || SHARD_KEY.matcher(redisKey).matches()).as(redisKey).isTrue();
        }
        System.out.println("[hostile] " + commands.size() + " commands: " + expectedParked.size() + " parked, "
                + validSchedules.values().stream().filter(c -> c == 1).count() + " applied schedules checked");
    }

    private List<String> parkedFor(String key, int expected) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.get().kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "2000000"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("reminder-commands.parked"));
            List<String> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && found.size() < expected) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(Base64.getEncoder().encodeToString(r.value()));
                    }
                });
            }
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> { // one more look: nothing extra parked
                if (key.equals(r.key())) {
                    found.add(Base64.getEncoder().encodeToString(r.value()));
                }
            });
            return found;
        }
    }
}
