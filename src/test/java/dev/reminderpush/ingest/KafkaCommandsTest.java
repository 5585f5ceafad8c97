package dev.reminderpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.Priority;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
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
    void aCommandCarriesItsPriority() throws Exception {
        String user = "q" + UUID.randomUUID().toString().substring(0, 8);
        String command = schedule(user, "urgent", "high lane");
        send(user, command.substring(0, command.length() - 1) + ",\"priority\":\"high\"}");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(store.find(new ReminderId(user, "urgent"))).hasValueSatisfying(r ->
                        assertThat(r.reminder().priority()).isEqualTo(Priority.HIGH)));
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

    /**
     * A record the bundle applied once and then sees again (a consumer restart before its commit, or an offset
     * reset) changes nothing: a delivered reminder does not come back with a new revision.
     */
    @Test
    void aReplayedRecordChangesNothing() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String topic = "replay-" + suffix;
        String group = "replay-group-" + suffix;
        String user = "rp" + suffix;
        try (BundleInstance ingest = new BundleInstance(Map.of("reminders.dispatch.enabled", "false",
                "reminders.ingest.command-topic", topic, "reminders.ingest.parking-topic", topic + ".parked",
                "reminders.ingest.consumer-group", group))) {
            RecordMetadata first = producer.send(new ProducerRecord<>(topic, user,
                    schedule(user, "once", "t").getBytes(StandardCharsets.UTF_8))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> store.find(new ReminderId(user, "once")).isPresent());
            assertThat(store.cancel(new ReminderId(user, "once"))).isTrue(); // as if delivered: the payload is gone

            ingest.camel().getRouteController().stopRoute("kafka-commands");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    TestInfrastructure.get().kafkaBootstrapServers()))) {
                admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, first.partition()),
                        new OffsetAndMetadata(0))).all().get();
            }
            ingest.camel().getRouteController().startRoute("kafka-commands");
            producer.send(new ProducerRecord<>(topic, first.partition(), user,
                    schedule(user, "sentinel", "after the replay").getBytes(StandardCharsets.UTF_8))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> store.find(new ReminderId(user, "sentinel")).isPresent());

            assertThat(store.find(new ReminderId(user, "once"))).as("the replayed schedule came back").isEmpty();
            assertThat(ingest.bean(MeterRegistry.class).get("reminders.commands.replayed").counter().count()).isEqualTo(1.0);
        }
    }

    /** max-past is judged against the record's timestamp: a valid command that waited in the topic is applied, late. */
    @Test
    void aCommandThatWaitedInTheTopicIsJudgedByItsRecordTime() throws Exception {
        String user = "w" + UUID.randomUUID().toString().substring(0, 8);
        Instant producedAt = Instant.now().minus(2, ChronoUnit.HOURS);
        String late = """
                {"type":"schedule","userId":"%s","subject":"waited","dueAt":"%s","title":"t","body":"b"}"""
                .formatted(user, producedAt.plus(30, ChronoUnit.MINUTES));
        producer.send(new ProducerRecord<>(COMMANDS, null, producedAt.toEpochMilli(), user,
                late.getBytes(StandardCharsets.UTF_8))).get();
        String tooOld = """
                {"type":"schedule","userId":"%s","subject":"too-old","dueAt":"%s","title":"t","body":"b"}"""
                .formatted(user, Instant.now().minus(90, ChronoUnit.MINUTES));
        send(user, tooOld);
        await().atMost(Duration.ofSeconds(60)).until(() -> store.find(new ReminderId(user, "waited")).isPresent());
        List<ConsumerRecord<String, byte[]>> parked = parkedFor(user, 1);
        assertThat(new String(parked.get(0).value(), StandardCharsets.UTF_8)).contains("too-old");
    }

    /**
     * An error Redis answers (here: out of memory) is waited out with backoff, like an outage: the record is
     * neither parked nor retried in a tight loop, and it is applied once Redis accepts writes again.
     */
    @Test
    void aRedisErrorIsRetriedWithBackoffAndTheCommandAppliedAfterwards() throws Exception {
        String user = "o" + UUID.randomUUID().toString().substring(0, 8);
        send(user, schedule(user, "warm-up", "w"));
        await().atMost(Duration.ofSeconds(60)).until(() -> store.find(new ReminderId(user, "warm-up")).isPresent());
        long failuresBefore = failedWrites();
        var server = redis.getRequiredConnectionFactory().getConnection().serverCommands();
        server.setConfig("maxmemory", "1");
        try {
            send(user, schedule(user, "during-oom", "must not be lost"));
            Thread.sleep(8_000);
            // backoff from 200 ms doubling to 5 s: 6 or 7 attempts in 8 s
            long attempts = failedWrites() - failuresBefore;
            System.out.println("[drill] attempts in 8 s of Redis OOM: " + attempts);
            // on a Redis Cluster every node counts its own error replies (cluster bookkeeping included): only the
            // single server gives an exact count of the refused writes
            assertThat(attempts).as("attempts while Redis refuses writes").isBetween(1L, TestInfrastructure.CLUSTER ? 30L : 8L);
        } finally {
            server.setConfig("maxmemory", "0");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> store.find(new ReminderId(user, "during-oom")).isPresent());
        assertThat(parkedFor(user, 0)).isEmpty();
    }

    /** Error replies Redis gave so far (all nodes, INFO errorstats): here, the writes it refused. */
    private long failedWrites() {
        java.util.Properties stats = redis.execute((org.springframework.data.redis.core.RedisCallback<java.util.Properties>)
                connection -> connection.serverCommands().info("errorstats"));
        long errors = 0;
        for (String key : stats.stringPropertyNames()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("count=(\\d+)").matcher(stats.getProperty(key));
            errors += key.contains("errorstat_") && m.find() ? Long.parseLong(m.group(1)) : 0;
        }
        return errors;
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
