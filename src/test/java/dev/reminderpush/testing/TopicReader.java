package dev.reminderpush.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain Kafka consumer on the message-center topic, starting at the end of every partition when it is
 * created, so a test sees only the messages sent after it began.
 */
public final class TopicReader implements AutoCloseable {

    /** One message as the message center receives it; its JSON is parsed on first use. */
    public static final class Received {
        private final String key;
        private final String value;
        private final long timestamp;
        private JsonNode json;

        Received(String key, String value, long timestamp) {
            this.key = key;
            this.value = value;
            this.timestamp = timestamp;
        }

        public String key() {
            return key;
        }

        public long timestamp() {
            return timestamp;
        }

        public JsonNode json() {
            if (json == null) {
                try {
                    json = MAPPER.readTree(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return json;
        }

        public List<String> reminderIds() {
            List<String> ids = new ArrayList<>();
            json().get("reminders").forEach(r -> ids.add(r.get("id").asText()));
            return ids;
        }

        public String messageId() {
            return json().get("messageId").asText();
        }

        /** Without parsing: every reminder object starts with its id. */
        public int reminderCount() {
            int count = 0;
            for (int at = value.indexOf("{\"id\":"); at >= 0; at = value.indexOf("{\"id\":", at + 6)) {
                count++;
            }
            return count;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KafkaConsumer<String, String> consumer;
    private final List<Received> received = new ArrayList<>();
    private long reminders;

    public TopicReader(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"), new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets now, before anything is sent
    }

    public static TopicReader messageCenter() {
        return new TopicReader(TestInfrastructure.get().kafkaBootstrapServers(), "message-center-push");
    }

    /** Polls until {@code done} holds for everything received so far, or the time is up; returns all received. */
    public List<Received> readUntil(Predicate<List<Received>> done, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.test(received) && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(200));
        }
        return List.copyOf(received);
    }

    /** Polls for the given time, however much arrives (to prove that something does not come). */
    public List<Received> readFor(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            poll(Duration.ofMillis(200));
        }
        return List.copyOf(received);
    }

    /** Reminders in all messages received so far (kept as a running count: cheap to ask on every poll). */
    public long remindersReceived() {
        return reminders;
    }

    private void poll(Duration timeout) {
        for (ConsumerRecord<String, String> record : consumer.poll(timeout)) {
            Received message = new Received(record.key(), record.value(), record.timestamp());
            received.add(message);
            reminders += message.reminderCount();
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
