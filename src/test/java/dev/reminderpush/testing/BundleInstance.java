package dev.reminderpush.testing;

import dev.reminderpush.ReminderPushApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Another whole bundle instance (its own Spring and Camel context) on the shared embedded Redis and Kafka. */
public final class BundleInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    public BundleInstance(Map<String, String> properties) {
        TestInfrastructure infra = TestInfrastructure.get();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + infra.redis().port(),
                "--camel.component.kafka.brokers=" + infra.kafkaBootstrapServers()));
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        context = new SpringApplicationBuilder(ReminderPushApplication.class).run(args.toArray(String[]::new));
    }

    public CamelContext camel() {
        return context.getBean(CamelContext.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
