package dev.reminderpush.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Exit;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), built on the same
 * Kafka test kit that spring-kafka-test's EmbeddedKafkaKraftBroker uses, but able to listen on a fixed
 * port: spring-kafka-test's KRaft broker always picks random ports, and local mode promises 9092.
 */
public final class EmbeddedKafka {

    /** Topics created up front: name and partition count. */
    public static final List<NewTopic> TOPICS = List.of(
            new NewTopic("reminder-commands", 4, (short) 1),
            new NewTopic("reminder-commands.parked", 1, (short) 1),
            new NewTopic("message-center-push", 16, (short) 1));

    private final int port;
    private final int advertisedPort;
    private KafkaClusterTestKit cluster;

    /** @param port the client listener port, 0 for any free one */
    public EmbeddedKafka(int port) {
        this(port, 0);
    }

    /**
     * @param advertisedPort the port the broker tells clients to connect to (a {@link TcpProxy} in front
     *                       of it), 0 for its own port
     */
    public EmbeddedKafka(int port, int advertisedPort) {
        this.port = port;
        this.advertisedPort = advertisedPort;
    }

    public EmbeddedKafka start() {
        // the broker calls Exit on fatal errors; in an embedded broker that must not end the JVM
        Exit.setExitProcedure((status, message) -> { });
        Exit.setHaltProcedure((status, message) -> { });
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setPerServerProperties(Map.of(0, listeners()))
                    .build();
            cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "4")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker"
                    + (port > 0 ? " on port " + port : ""), e);
        }
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(TOPICS).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + TOPICS, e);
        }
        return this;
    }

    private Map<String, String> listeners() {
        Map<String, String> listeners = new java.util.HashMap<>();
        listeners.put("listeners", "EXTERNAL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:0");
        if (advertisedPort > 0) {
            listeners.put("advertised.listeners", "EXTERNAL://127.0.0.1:" + advertisedPort);
        }
        return listeners;
    }

    public void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the embedded Kafka broker", e);
        } finally {
            cluster = null;
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }
}
