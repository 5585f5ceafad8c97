package dev.reminderpush.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * One embedded Redis and one embedded Kafka broker per test JVM, started on first use on free ports and
 * shared by every Spring test context (they are stopped when the JVM exits).
 */
public final class TestInfrastructure {

    private static TestInfrastructure instance;

    private final EmbeddedRedis redis;
    private final EmbeddedKafka kafka;

    private TestInfrastructure() {
        this.redis = new EmbeddedRedis(freePort()).start();
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

    public EmbeddedRedis redis() {
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
