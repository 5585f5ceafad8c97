package dev.reminderpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class KafkaCommandsTest extends IntegrationTest {

    static final String COMMANDS = "reminder-commands";
    static final String PARKED = "reminder-commands.parked";

    @Autowired
    ReminderStore store;

    KafkaProducer<String, byte[]> producer;
    final Instant due = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void producer() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.get().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void closeProducer() {
        producer.close();
    }

    void send(String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(COMMANDS, key, value.getBytes(StandardCharsets.UTF_8))).get();
    }

    String schedule(String user, String subject, String title) {
        return """
                {"type":"schedule","userId":"%s","subject":"%s","dueAt":"%s","title":"%s","body":"b"}"""
                .formatted(user, subject, due, title);
    }

    @Test
    void scheduleAndCancelThroughTheTopic() throws Exception {
        String user = "k" + UUID.randomUUID().toString().substring(0, 8);
        send(user, schedule(user, "coupon-7", "from kafka"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(store.find(new ReminderId(user, "coupon-7"))).hasValueSatisfying(r ->
                        assertThat(r.reminder().title()).isEqualTo("from kafka")));

        send(user, "{\"type\":\"cancel\",\"userId\":\"" + user + "\",\"subject\":\"coupon-7\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> store.find(new ReminderId(user, "coupon-7")).isEmpty());
    }

    @Test
    void poisonCommandIsParkedWithReasonAndTheNextIsApplied() throws Exception {
        String user = "p" + UUID.randomUUID().toString().substring(0, 8);
        String poison = "{\"type\":\"schedule\",\"userId\":\"" + user + "\",\"subject\":\"x\",\"dueAt\":\"soon\"}";
        send(user, poison);
        send(user, "definitely not json");
        send(user, schedule(user, "after-poison", "still applied"));

        await().atMost(Duration.ofSeconds(60)).until(() -> store.find(new ReminderId(user, "after-poison")).isPresent());
        List<ConsumerRecord<String, byte[]>> parked = parkedFor(user, 2);
        assertThat(new String(parked.get(0).value(), StandardCharsets.UTF_8)).isEqualTo(poison);
        assertThat(header(parked.get(0), CommandIngest.PARK_FIELD)).isEqualTo("dueAt");
        assertThat(header(parked.get(0), CommandIngest.PARK_REASON)).contains("not an ISO-8601 instant");
        assertThat(header(parked.get(0), CommandIngest.SOURCE_TOPIC)).isEqualTo(COMMANDS);
        assertThat(header(parked.get(1), CommandIngest.PARK_REASON)).contains("malformed JSON");
        assertThat(store.find(new ReminderId(user, "x"))).isEmpty();
    }

    @Test
    void commandArrivingWhileRedisIsDownIsAppliedOnceItIsBack() throws Exception {
        String user = "r" + UUID.randomUUID().toString().substring(0, 8);
        send(user, schedule(user, "warm-up", "w"));
        await().atMost(Duration.ofSeconds(60)).until(() -> store.find(new ReminderId(user, "warm-up")).isPresent());

        TestInfrastructure.get().redis().stop();
        try {
            send(user, schedule(user, "during-outage", "must not be lost"));
            Thread.sleep(3_000); // the route retries against the dead Redis meanwhile
        } finally {
            TestInfrastructure.get().redis().start();
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                store.find(new ReminderId(user, "during-outage")).isPresent());
        assertThat(parkedFor(user, 0)).isEmpty();
    }

    private List<ConsumerRecord<String, byte[]>> parkedFor(String key, int expected) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.get().kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(PARKED));
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(expected == 0 ? 5 : 30).toNanos();
            while (System.nanoTime() < deadline && (expected == 0 || found.size() < expected)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                });
            }
            return found;
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
