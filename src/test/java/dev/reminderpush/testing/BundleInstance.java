package dev.reminderpush.testing;

import dev.reminderpush.ReminderPushApplication;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Another whole bundle instance (its own Spring and Camel context) on the shared embedded Redis and Kafka. */
public final class BundleInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    /** {@code properties} override the defaults here (any free HTTP port, the shared Redis and Kafka). */
    @SafeVarargs
    public BundleInstance(Map<String, String> properties, ApplicationContextInitializer<ConfigurableApplicationContext>... initializers) {
        TestInfrastructure infra = TestInfrastructure.get();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.putAll(infra.redis().springProperties());
        all.put("camel.component.kafka.brokers", infra.kafkaBootstrapServers());
        all.put("camel.main.shutdown-timeout", "5");
        all.put("spring.jmx.enabled", "false"); // several instances share this JVM's MBean server
        all.putAll(properties);
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        context = new SpringApplicationBuilder(ReminderPushApplication.class).initializers(initializers).run(args);
    }

    /** Settings of a dispatching instance with short timeouts and no retries, plus {@code more} (key, value, ...). */
    public static Map<String, String> dispatching(String name, String... more) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "reminders.dispatch.enabled", "true",
                "reminders.dispatch.instance-id", name,
                "reminders.dispatch.poll-interval", "200ms",
                "reminders.dispatch.reaper-interval", "200ms",
                "reminders.dispatch.drain-lease", "1s",
                "reminders.delivery.retry.max-retries", "0",
                "reminders.delivery.kafka.timeout", "1000ms",
                "reminders.delivery.kafka.request-timeout", "500ms",
                "reminders.delivery.http.timeout", "500ms"));
        for (int i = 0; i < more.length; i += 2) {
            properties.put(more[i], more[i + 1]);
        }
        return properties;
    }

    public CamelContext camel() {
        return context.getBean(CamelContext.class);
    }

    /**
     * The instance "dies" for dispatch: it claims nothing more (poll ticks, wake-ups and nudges stop) and renews
     * no lease; what it holds stays in flight in Redis under its lease, as after a crash.
     */
    public void stopDispatching() throws Exception {
        for (String route : new String[] {"poll-shards", "wake-up", "wake-on-nudge", "renew-leases"}) {
            camel().getRouteController().stopRoute(route);
        }
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
