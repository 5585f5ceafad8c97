package dev.reminderpush.testing;

import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** A real single-node Kafka broker in KRaft mode (spring-kafka-test), with the topics reminder-push uses. */
public final class EmbeddedKafka {

    /** Topics created up front: name and partition count. */
    public static final List<NewTopic> TOPICS = List.of(
            new NewTopic("reminder-commands", 4, (short) 1),
            new NewTopic("reminder-commands.parked", 1, (short) 1),
            new NewTopic("message-center-push", 16, (short) 1));

    private final EmbeddedKafkaKraftBroker broker;

    /** @param port the listener port, 0 for any free one */
    public EmbeddedKafka(int port) {
        this.broker = new EmbeddedKafkaKraftBroker(1, 1);
        if (port > 0) {
            broker.kafkaPorts(port);
        }
        broker.brokerProperty("auto.create.topics.enable", "true");
        broker.brokerProperty("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    }

    public EmbeddedKafka start() {
        broker.afterPropertiesSet();
        broker.addTopics(TOPICS.toArray(NewTopic[]::new));
        return this;
    }

    public void stop() {
        broker.destroy();
    }

    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }
}
