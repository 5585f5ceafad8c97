package dev.reminderpush.observability;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
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
 * description within 3 s, asked with the connection settings of Camel's kafka component (so TLS and SASL
 * configured as {@code camel.component.kafka.*} apply here too). Part of {@code /actuator/health}, not of readiness: with Kafka away the API
 * still takes reminders and deliveries wait in Redis.
 */
@Component("kafka")
public class KafkaHealth implements HealthIndicator, DisposableBean {

    private final String brokers;
    private final CamelContext camel;
    private volatile AdminClient admin;

    public KafkaHealth(@Value("${camel.component.kafka.brokers}") String brokers, CamelContext camel) {
        this.brokers = brokers;
        this.camel = camel;
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
                    Map<String, Object> config = new HashMap<>();
                    camel.getComponent("kafka", KafkaComponent.class).getConfiguration().createProducerProperties()
                            .forEach((key, value) -> {
                                if (AdminClientConfig.configNames().contains(key.toString())) {
                                    config.put(key.toString(), value);
                                }
                            });
                    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
                    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
                    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
                    admin = AdminClient.create(config);
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
