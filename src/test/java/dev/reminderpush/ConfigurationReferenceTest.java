package dev.reminderpush;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.security.AccessProperties;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * The configuration reference cannot drift: the README's table, the metadata the configuration processor writes
 * from the properties classes (what an IDE completes), and the defaults in the jar's application.yaml name the same
 * {@code reminders.*} keys with the same defaults; every key has a description; time settings are durations.
 */
class ConfigurationReferenceTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The metadata of every key the properties classes bind (deprecated renamed keys apart), by name. */
    static Map<String, JsonNode> metadata() throws Exception {
        Map<String, JsonNode> keys = new TreeMap<>();
        try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
            for (JsonNode property : JSON.readTree(in).get("properties")) {
                String name = property.get("name").asText();
                if (name.startsWith("reminders.") && !property.has("deprecation")) {
                    keys.put(name, property);
                }
            }
        }
        return keys;
    }

    /** The README's configuration table: key -> the default column, for the {@code reminders.*} rows. */
    static Map<String, String> readmeTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("## Redis layout"));
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(reminders\\.[^`]+)` \\| ([^|]*) \\|").matcher(section);
        while (row.find()) {
            assertThat(rows.put(row.group(1), row.group(2).trim())).as("README lists %s twice", row.group(1)).isNull();
        }
        return rows;
    }

    /** A metadata default as the README writes it: `value`, (empty) or none. */
    static String asReadme(JsonNode property) {
        JsonNode value = property.get("defaultValue");
        if (value == null) {
            return "none";
        }
        String text;
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asText()));
            text = String.join(",", items);
        } else {
            text = value.asText();
        }
        return text.isEmpty() ? "(empty)" : "`" + text + "`";
    }

    @Test
    void theReadmeTableAndTheMetadataNameTheSameKeysWithTheSameDefaults() throws Exception {
        Map<String, JsonNode> metadata = metadata();
        Map<String, String> readme = readmeTable();
        assertThat(readme.keySet()).as("keys in the README table").containsExactlyInAnyOrderElementsOf(metadata.keySet());
        metadata.forEach((key, property) -> {
            String documented = readme.get(key);
            String expected = asReadme(property);
            if (!documented.equals(expected)) { // 2 and 2.0 are the same number
                assertThat(number(documented)).as("README default of %s (metadata: %s)", key, expected).isNotNull()
                        .isEqualByComparingTo(number(expected));
            }
        });
    }

    static BigDecimal number(String cell) {
        String bare = cell.replace("`", "");
        return bare.matches("-?[0-9]+(\\.[0-9]+)?") ? new BigDecimal(bare) : null;
    }

    @Test
    void everyKeyHasADescriptionAndTimeSettingsAreDurations() throws Exception {
        Map<String, JsonNode> metadata = metadata();
        assertThat(metadata).hasSizeGreaterThan(50);
        metadata.forEach((key, property) -> {
            assertThat(property.path("description").asText()).as("description of %s", key).isNotBlank().doesNotContain("{@");
            assertThat(key).as("a time setting is a java.time.Duration (1s, 200ms), not a number of milliseconds")
                    .doesNotEndWith("-ms").doesNotEndWith("-millis").doesNotEndWith("-seconds");
            if (key.matches(".*[.-](timeout|interval|delay|lease|window|budget|gap|ttl|age|cool-down)$")) {
                assertThat(property.get("type").asText()).as("type of %s", key).isEqualTo("java.time.Duration");
            }
        });
        for (String renamed : RenamedSettings.RENAMED.keySet()) {
            assertThat(metadata).as("renamed %s is still bound", renamed).doesNotContainKey(renamed);
        }
    }

    /** The routes read some settings as placeholders, so the jar's application.yaml repeats their defaults. */
    @Test
    void theDefaultsInTheJarsApplicationYamlAreTheDocumentedOnes() throws Exception {
        Map<String, JsonNode> metadata = metadata();
        var sources = new YamlPropertySourceLoader().load("jar", new ClassPathResource("application.yaml"));
        int compared = 0;
        for (var source : sources) {
            for (String name : ((EnumerablePropertySource<?>) source).getPropertyNames()) {
                if (!name.startsWith("reminders.")) {
                    continue;
                }
                assertThat(metadata).as("application.yaml sets %s, which nothing binds", name).containsKey(name);
                String value = String.valueOf(source.getProperty(name));
                JsonNode declared = metadata.get(name).get("defaultValue");
                assertThat(declared).as("default of %s", name).isNotNull();
                if ("java.time.Duration".equals(metadata.get(name).get("type").asText())) {
                    assertThat(DurationStyle.detectAndParse(value)).as(name).isEqualTo(DurationStyle.detectAndParse(declared.asText()));
                } else if (number(value) != null) {
                    assertThat(number(value)).as(name).isEqualByComparingTo(number(declared.asText()));
                } else {
                    assertThat(value).as(name).isEqualTo(declared.asText());
                }
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(15);
    }

    @Configuration
    @EnableConfigurationProperties({ReminderProperties.class, AccessProperties.class})
    @Import(RenamedSettings.class)
    static class Settings {}

    @Test
    void aRenamedSettingStopsTheStartupNamingItsSuccessor() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
                .withUserConfiguration(Settings.class)
                .withPropertyValues("reminders.dispatch.poll-interval-ms=200")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("reminders.dispatch.poll-interval-ms is now reminders.dispatch.poll-interval")
                        .hasMessageContaining("200ms"));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
                .withUserConfiguration(Settings.class)
                .withPropertyValues("reminders.dispatch.poll-interval=200ms")
                .run(context -> assertThat(context).hasNotFailed()
                        .getBean(ReminderProperties.class).extracting(p -> p.dispatch().pollInterval().toMillis()).isEqualTo(200L));
    }
}
