package dev.reminderpush.local;

import dev.reminderpush.ReminderPushApplication;
import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.EmbeddedRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringApplication;

/**
 * Zero-install local mode: a real Redis and a real KRaft Kafka broker, embedded, plus the bundle.
 * Run with {@code ./mvnw spring-boot:test-run}; options (as {@code -Dspring-boot.run.arguments="..."}):
 * <ul>
 *   <li>{@code --local.mode=all} (default): Redis, Kafka and the bundle in one process;</li>
 *   <li>{@code --local.mode=infra}: Redis and Kafka only, so bundle instances can come and go;</li>
 *   <li>{@code --local.mode=app}: the bundle only, against a Redis and Kafka already running;</li>
 *   <li>{@code --local.redis-port=6379}, {@code --local.kafka-port=9092}, {@code --server.port=8080}.</li>
 *   <li>Hawtio at http://localhost:8080/actuator/hawtio without a login (unless {@code --hawtio.authenticationEnabled=true}).</li>
 * </ul>
 * Every other argument goes to Spring Boot as usual. It lives in test sources, so the production jar
 * neither contains nor starts embedded servers.
 */
public final class LocalMode {

    enum Mode { ALL, INFRA, APP }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.valueOf(option(args, "local.mode", "all").toUpperCase());
        int redisPort = Integer.parseInt(option(args, "local.redis-port", "6379"));
        int kafkaPort = Integer.parseInt(option(args, "local.kafka-port", "9092"));
        int httpPort = Integer.parseInt(option(args, "server.port", "8080"));

        if (mode != Mode.APP) {
            requireFree(redisPort, "Redis", "--local.redis-port");
            requireFree(kafkaPort, "Kafka", "--local.kafka-port");
        }
        if (mode != Mode.INFRA) {
            requireFree(httpPort, "HTTP", "--server.port");
        }
        if (mode != Mode.APP) {
            startInfrastructure(redisPort, kafkaPort);
        }
        if (mode == Mode.INFRA) {
            System.out.println("Local infrastructure is up: Redis on 127.0.0.1:" + redisPort + ", Kafka on 127.0.0.1:"
                    + kafkaPort + ". Start bundle instances with --local.mode=app (or java -jar). Ctrl-C stops both.");
            new CountDownLatch(1).await();
            return;
        }
        List<String> springArgs = new ArrayList<>(List.of(args));
        springArgs.add("--spring.data.redis.host=127.0.0.1");
        springArgs.add("--spring.data.redis.port=" + redisPort);
        springArgs.add("--camel.component.kafka.brokers=127.0.0.1:" + kafkaPort);
        springArgs.add("--server.port=" + httpPort);
        if (option(args, "hawtio.authenticationEnabled", null) == null) {
            springArgs.add("--hawtio.authenticationEnabled=false"); // local mode: Hawtio without a login
        }
        SpringApplication.run(ReminderPushApplication.class, springArgs.toArray(String[]::new));
    }

    private static void startInfrastructure(int redisPort, int kafkaPort) {
        System.out.println("Starting embedded Redis on port " + redisPort + " and embedded Kafka (KRaft) on port "
                + kafkaPort + " ...");
        EmbeddedRedis redis = new EmbeddedRedis(redisPort).start();
        EmbeddedKafka kafka = new EmbeddedKafka(kafkaPort).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.stop();
            redis.stop();
        }, "local-infrastructure-shutdown"));
    }

    /** {@code --name=value} from the arguments, else the system property, else the default. */
    static String option(String[] args, String name, String fallback) {
        String prefix = "--" + name + "=";
        for (String arg : args) {
            if (arg.startsWith(prefix)) {
                return arg.substring(prefix.length());
            }
        }
        return System.getProperty(name, fallback);
    }

    private static void requireFree(int port, String what, String option) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            System.err.println("Local mode cannot start: port " + port + " for " + what + " is already in use. Stop what "
                    + "holds it, or choose another port with " + option + "=<port>.");
            System.exit(2);
        }
    }
}
