package dev.reminderpush.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * One embedded Redis (a server, or a Redis Cluster with {@link #CLUSTER}) and one embedded Kafka broker per test JVM, started on first use on free ports and
 * shared by every Spring test context (they are stopped when the JVM exits).
 */
public final class TestInfrastructure {

    private static TestInfrastructure instance;

    /** {@code -Dreminders.test.redis=cluster} (Maven profile redis-cluster): a 6-node Redis Cluster. */
    public static final boolean CLUSTER = "cluster".equals(System.getProperty("reminders.test.redis"));

    private final TestRedis redis;
    private final EmbeddedKafka kafka;

    private TestInfrastructure() {
        this.redis = CLUSTER ? new EmbeddedRedisCluster().start() : new EmbeddedRedis(freePort()).start();
        System.out.println("[test-infrastructure] Redis: " + redis.springProperties());
        this.kafka = new EmbeddedKafka(0).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.stop();
            redis.stop();
        }, "test-infrastructure-shutdown"));
    }

    public static synchronized TestInfrastructure get() {
        if (instance == null) {
            instance = new TestInfrastructure();
        }
        return instance;
    }

    public TestRedis redis() {
        return redis;
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
