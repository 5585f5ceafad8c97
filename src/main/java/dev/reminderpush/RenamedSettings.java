package dev.reminderpush;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Settings that were renamed when every time setting became a duration ({@code 1s}, {@code 200ms}), or moved to
 * Camel's thread pool profiles: an old name would otherwise be ignored without a word, so it stops the startup and
 * names its successor. The IDE shows them
 * struck through (additional-spring-configuration-metadata.json).
 */
@Component
class RenamedSettings {

    static final Map<String, String> RENAMED = new TreeMap<>(Map.of(
            "reminders.dispatch.poll-interval-ms", "reminders.dispatch.poll-interval",
            "reminders.dispatch.reaper-interval-ms", "reminders.dispatch.reaper-interval",
            "reminders.delivery.kafka.timeout-ms", "reminders.delivery.kafka.timeout",
            "reminders.delivery.kafka.request-timeout-ms", "reminders.delivery.kafka.request-timeout",
            "reminders.delivery.http.timeout-ms", "reminders.delivery.http.timeout",
            "reminders.delivery.retry.initial-delay-ms", "reminders.delivery.retry.initial-delay",
            "reminders.delivery.retry.max-delay-ms", "reminders.delivery.retry.max-delay",
            "reminders.delivery.threads", "camel.threadpool.config.deliveryPool.pool-size"));

    RenamedSettings(Environment environment) {
        List<String> used = RENAMED.entrySet().stream().filter(e -> environment.containsProperty(e.getKey()))
                .map(e -> e.getKey() + " is now " + e.getValue() + (e.getKey().endsWith("-ms") ? " (a duration: "
                        + environment.getProperty(e.getKey()) + " ms is " + environment.getProperty(e.getKey()) + "ms)" : ""))
                .toList();
        if (!used.isEmpty()) {
            throw new IllegalStateException("Renamed settings: " + String.join("; ", used));
        }
    }
}
