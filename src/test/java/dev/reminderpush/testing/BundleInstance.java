package dev.reminderpush.testing;

import dev.reminderpush.ReminderPushApplication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Another whole bundle instance (its own Spring and Camel context) on the shared embedded Redis and Kafka. */
public final class BundleInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    /** {@code properties} override the defaults here (any free HTTP port, the shared Redis and Kafka). */
    public BundleInstance(Map<String, String> properties) {
        TestInfrastructure infra = TestInfrastructure.get();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.putAll(infra.redis().springProperties());
        all.put("camel.component.kafka.brokers", infra.kafkaBootstrapServers());
        all.put("camel.main.shutdown-timeout", "5");
        all.put("spring.jmx.enabled", "false"); // several instances share this JVM's MBean server
        all.putAll(properties);
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        context = new SpringApplicationBuilder(ReminderPushApplication.class).run(args);
    }

    public CamelContext camel() {
        return context.getBean(CamelContext.class);
    }

    public int httpPort() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
