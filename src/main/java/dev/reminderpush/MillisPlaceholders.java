package dev.reminderpush;

import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesFunction;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@code {{millis:<key>}}} placeholder of the YAML routes: a duration setting ({@code 1s}, {@code 200ms},
 * {@code PT2S}, or a bare number of milliseconds, exactly as Spring Boot binds it into {@link ReminderProperties})
 * as a number of milliseconds, for the endpoint options that take one (Quartz's {@code repeatInterval}, Kafka's
 * {@code *Ms}, the HTTP client's timeouts). Settings stay durations; only the routes see numbers.
 */
public class MillisPlaceholders implements PropertiesFunction {

    private final Binder binder;

    MillisPlaceholders(Binder binder) {
        this.binder = binder;
    }

    @Override
    public String getName() {
        return "millis";
    }

    @Override
    public String apply(String key) {
        Duration duration = binder.bind(key.trim(), Duration.class)
                .orElseThrow(() -> new IllegalArgumentException("{{millis:" + key + "}}: no setting " + key.trim()));
        return Long.toString(duration.toMillis());
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        /** Registered while the context is built, before Camel resolves any route's placeholders. */
        @Bean
        MillisPlaceholders millisPlaceholders(CamelContext camel, Environment environment) {
            MillisPlaceholders function = new MillisPlaceholders(Binder.get(environment));
            camel.getPropertiesComponent().addPropertiesFunction(function);
            return function;
        }
    }
}
