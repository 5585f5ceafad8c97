package dev.reminderpush;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Docker cannot run on the build machine; check what can be checked without it. */
class DeploymentFilesTest {

    @SuppressWarnings("unchecked")
    Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsRedisWithAofKafkaInKraftAndTheBundle() throws IOException {
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        assertThat(services).containsKeys("redis", "kafka", "reminder-push", "prometheus", "grafana", "redis-node-1",
                "redis-node-6", "redis-cluster-init", "reminder-push-cluster");
        assertThat(((Map<String, Object>) services.get("redis-node-4")).get("profiles")).isEqualTo(java.util.List.of("cluster"));

        List<String> redis = (List<String>) ((Map<String, Object>) services.get("redis")).get("command");
        assertThat(String.join(" ", redis)).contains("--appendonly yes").contains("--appendfsync everysec");

        Map<String, Object> kafka = (Map<String, Object>) ((Map<String, Object>) services.get("kafka")).get("environment");
        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");

        Map<String, Object> bundle = (Map<String, Object>) services.get("reminder-push");
        assertThat(bundle.get("build")).isEqualTo(".");
        assertThat(Path.of("Dockerfile")).exists();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMountedHostPathExists() throws IOException {
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        for (Object service : services.values()) {
            for (Object volume : (List<Object>) ((Map<String, Object>) service).getOrDefault("volumes", List.of())) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(Path.of(source)).as(volume.toString()).exists();
                }
            }
        }
    }

    @Test
    void dockerfileCopiesWhatExists() throws IOException {
        for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
            if (line.startsWith("COPY ") && !line.contains("--from")) {
                String[] parts = line.substring(5).trim().split("\\s+");
                for (int i = 0; i < parts.length - 1; i++) {
                    assertThat(Path.of(parts[i])).as(line).exists();
                }
            }
        }
    }
}
