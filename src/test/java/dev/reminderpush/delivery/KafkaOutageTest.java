package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TcpProxy;
import dev.reminderpush.testing.TestInfrastructure;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The message center's Kafka is unreachable for a while, in the middle of a delivery burst: deliveries
 * fail, are retried, and all complete once it is back; nothing is lost or dead-lettered.
 */
class KafkaOutageTest extends IntegrationTest {

    @Autowired
    ReminderStore store;

    @Test
    void deliveriesRetryThroughAnOutageAndCompleteAfterwards() throws Exception {
        int brokerPort = TestInfrastructure.freePort();
        try (TcpProxy proxy = new TcpProxy(TestInfrastructure.freePort(), brokerPort)) {
            EmbeddedKafka kafka = new EmbeddedKafka(brokerPort, proxy.port()).start();
            String brokers = "127.0.0.1:" + proxy.port();
            Map<String, String> settings = new HashMap<>(Map.of(
                    "camel.component.kafka.brokers", brokers,
                    "reminders.dispatch.enabled", "true",
                    "reminders.dispatch.poll-interval", "200ms",
                    "reminders.dispatch.merge-window", "0",
                    "reminders.delivery.kafka.timeout", "2000ms",
                    "reminders.delivery.kafka.request-timeout", "1000ms",
                    "reminders.delivery.circuit.cool-down", "2s"));
            try (BundleInstance bundle = new BundleInstance(settings);
                    TopicReader reader = new TopicReader(brokers, "message-center-push")) {
                long due = System.currentTimeMillis() + 1_000;
                List<Reminder> reminders = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    reminders.add(new Reminder(new ReminderId("outage-" + i, "s"), Instant.ofEpochMilli(due), "t", "b", null, null));
                }
                store.schedule(reminders);
                Thread.sleep(Math.max(0, due - System.currentTimeMillis() - 300));
                proxy.cut();
                Thread.sleep(8_000);
                assertThat(bundle.bean(DeliveryCircuit.class).failedAttempts()).as("deliveries failed during the outage")
                        .isPositive();
                proxy.restore();

                List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 2_000, Duration.ofSeconds(90));
                messages = reader.readFor(Duration.ofSeconds(2));
                assertThat(messages.stream().flatMap(m -> m.reminderIds().stream()).toList())
                        .hasSize(2_000).doesNotHaveDuplicates();
                assertThat(redis.keys("reminders:{*}:dead")).isEmpty();
            } finally {
                kafka.stop();
            }
        }
    }
}
