package dev.reminderpush.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker ({@code kafka.Kafka}, from the test classpath) in its own process,
 * so a drill can stop it and start it again on the same port and log directory, as an outage would.
 */
public final class KafkaProcess implements AutoCloseable {

    private final int port = TestInfrastructure.freePort();
    private final Path dir;
    private final Path config;
    private final Path log;
    private Process process;

    public KafkaProcess(String name) {
        try {
            dir = Files.createTempDirectory("reminder-push-kafka-");
            log = Path.of("target", "drills", name + ".log");
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            int controllerPort = TestInfrastructure.freePort();
            config = dir.resolve("server.properties");
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=4",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=true",
                    ""));
            run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()))
                    .waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the broker and waits until it answers; creates the bundle's topics on the first start. */
    public KafkaProcess start() {
        boolean first = process == null;
        process = run(List.of("kafka.Kafka", config.toString()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000"))) {
            while (true) {
                try {
                    if (first) {
                        admin.createTopics(EmbeddedKafka.TOPICS).all().get(10, TimeUnit.SECONDS);
                    } else {
                        admin.describeTopics(EmbeddedKafka.TOPICS.stream().map(t -> t.name()).toList()).allTopicNames()
                                .get(10, TimeUnit.SECONDS);
                    }
                    return this;
                } catch (Exception e) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("the Kafka broker did not come up; see " + log, e);
                    }
                    Thread.sleep(500);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A clean broker shutdown (SIGTERM); the data stays for the next start. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private Process run(List<String> mainAndArgs) {
        List<String> command = new java.util.ArrayList<>(List.of(BundleProcess.javaBinary(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + Path.of("src", "test", "resources", "logback-test.xml").toAbsolutePath()));
        command.addAll(mainAndArgs);
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
