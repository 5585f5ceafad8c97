package dev.reminderpush.observability;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code kafka}: the brokers of {@code camel.component.kafka.brokers} answer a cluster
 * description within 3 s. Part of {@code /actuator/health}, not of readiness: with Kafka away the API
 * still takes reminders and deliveries wait in Redis.
 */
@Component("kafka")
public class KafkaHealth implements HealthIndicator, DisposableBean {

    private final String brokers;
    private volatile AdminClient admin;

    public KafkaHealth(@Value("${camel.component.kafka.brokers}") String brokers) {
        this.brokers = brokers;
    }

    @Override
    public Health health() {
        try {
            int nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs(3_000)).nodes().get(4, TimeUnit.SECONDS).size();
            return Health.up().withDetail("brokers", brokers).withDetail("nodes", nodes).build();
        } catch (Exception e) {
            return Health.down().withDetail("brokers", brokers).withDetail("error", String.valueOf(e.getMessage())).build();
        }
    }

    private AdminClient admin() {
        if (admin == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000));
                }
            }
        }
        return admin;
    }

    @Override
    public void destroy() {
        if (admin != null) {
            admin.close();
        }
    }
}
