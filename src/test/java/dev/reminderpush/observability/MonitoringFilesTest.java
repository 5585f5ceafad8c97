package dev.reminderpush.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.Yaml;

/** The shipped dashboard and alert rules only use metrics the bundle really exports (checked against a scrape). */
@AutoConfigureObservability
class MonitoringFilesTest extends IntegrationTest {

    private static final Pattern METRIC = Pattern.compile("\\b((?:reminders|camel)_[a-z_]+)\\b");

    @LocalServerPort
    int port;

    Set<String> exported() {
        Set<String> names = new HashSet<>();
        for (String line : new Http(port).get("/actuator/prometheus").body().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]")[0]);
            }
        }
        return names;
    }

    static Set<String> metricsIn(String expression) {
        Set<String> names = new HashSet<>();
        Matcher m = METRIC.matcher(expression);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyDashboardQueryUsesExportedMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("monitoring/grafana/dashboards/reminder-push.json")));
        assertThat(dashboard.get("panels")).hasSizeGreaterThanOrEqualTo(8);
        Set<String> exported = exported();
        Set<String> used = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("title").asText()).isNotBlank();
            for (JsonNode target : panel.get("targets")) {
                used.addAll(metricsIn(target.get("expr").asText()));
            }
        }
        assertThat(used).contains("reminders_oldest_overdue_age_seconds", "reminders_delivered_total",
                "reminders_lateness_seconds_bucket", "reminders_dead_letters", "camel_exchanges_total");
        assertThat(exported).containsAll(used);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertRuleUsesExportedMetrics() throws Exception {
        Map<String, Object> rules = new Yaml().load(Files.readString(Path.of("monitoring/prometheus/alerts.yml")));
        Set<String> used = new HashSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                assertThat(rule).containsKeys("alert", "expr");
                used.addAll(metricsIn(rule.get("expr").toString()));
            }
        }
        assertThat(used).contains("reminders_oldest_overdue_age_seconds", "reminders_dead_lettered_total",
                "reminders_claiming_paused");
        assertThat(exported()).containsAll(used);
    }
}
