package dev.reminderpush.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain Kafka consumer reading a message-center topic from its beginning on its own thread. It keeps the
 * raw records and parses them after the run, so it costs the machine little while the systems work.
 */
final class TopicCollector implements AutoCloseable {

    private record Raw(String value, long timestamp) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KafkaConsumer<String, String> consumer;
    private final List<Raw> raw = new ArrayList<>();
    private final AtomicLong reminders = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /** Users of the warm-up reminders (BenchmarkIT): not part of any measured run. */
    static final String WARM_UP_PREFIX = "warm-up-";

    TopicCollector(String bootstrap, String topic) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000",
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "52428800"), new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "bench-collector-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.key() != null && record.key().startsWith(WARM_UP_PREFIX)) {
                    continue; // the warm-up before the measured run
                }
                synchronized (raw) {
                    raw.add(new Raw(record.value(), record.timestamp()));
                }
                reminders.addAndGet(count(record.value()));
            }
        }
    }

    /** Reminders received so far (each reminder object in a message starts with its id). */
    long reminders() {
        return reminders.get();
    }

    /** Waits until {@code expected} reminders arrived or the time is up; then a little longer to catch duplicates. */
    void await(long expected, Duration atMost, Runnable progress) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        long lastReport = 0;
        while (reminders.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            if (System.nanoTime() - lastReport > 2_000_000_000L) {
                lastReport = System.nanoTime();
                progress.run();
            }
        }
        Thread.sleep(1_500);
    }

    /** Every reminder received, parsed: ids, due times and the records' timestamps. */
    List<Delivery> deliveries() {
        List<Raw> copy;
        synchronized (raw) {
            copy = List.copyOf(raw);
        }
        List<Delivery> out = new ArrayList<>();
        for (Raw record : copy) {
            try {
                JsonNode json = MAPPER.readTree(record.value());
                for (JsonNode r : json.get("reminders")) {
                    JsonNode due = r.get("dueAt");
                    long dueMillis = due.isNumber() ? due.asLong() : Instant.parse(due.asText()).toEpochMilli();
                    out.add(new Delivery(r.get("id").asText(), dueMillis, record.timestamp()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    long messages() {
        synchronized (raw) {
            return raw.size();
        }
    }

    private static int count(String value) {
        int count = 0;
        for (int at = value.indexOf("{\"id\":"); at >= 0; at = value.indexOf("{\"id\":", at + 6)) {
            count++;
        }
        return count;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
        consumer.close();
    }
}
