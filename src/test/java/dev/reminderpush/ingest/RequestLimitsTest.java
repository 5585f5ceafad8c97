package dev.reminderpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.RedisSnapshot;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = {"reminders.api.max-request-size=2KB", "reminders.api.max-requests-per-second=20"})
class RequestLimitsTest extends IntegrationTest {

    @LocalServerPort
    int port;

    String reminder(int titleLength) {
        return "{\"dueAt\":\"" + Instant.now().plusSeconds(3600) + "\",\"title\":\"" + "t".repeat(titleLength) + "\",\"body\":\"b\"}";
    }

    HttpResponse<String> chunkedPut(Http http, String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(http.uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
    }

    @Test
    void aBodyOverTheLimitGets413AndChangesNothing() throws InterruptedException {
        Http http = new Http(port);
        Map<String, String> before = RedisSnapshot.of(redis);
        HttpResponse<String> declared = http.put("/api/reminders/42/big", reminder(3000));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("\"error\":\"request_too_large\"").contains("reminders.api.max-request-size");
        assertThat(chunkedPut(http, "/api/reminders/42/big", reminder(3000)).statusCode()).isEqualTo(413);
        assertThat(RedisSnapshot.of(redis)).isEqualTo(before);

        Thread.sleep(1100); // a fresh second of rate
        assertThat(chunkedPut(http, "/api/reminders/42/small", reminder(100)).statusCode()).isEqualTo(201);
        assertThat(http.get("/api/reminders/42/small").body()).contains("\"title\":\"" + "t".repeat(100) + "\"");
    }

    @Test
    void requestsOverTheRateGet429WithRetryAfter() throws InterruptedException {
        Thread.sleep(1100);
        Http http = new Http(port);
        List<HttpResponse<String>> answers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 60; i++) {
            answers.add(http.get("/api/reminders/42/none"));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<HttpResponse<String>> limited = answers.stream().filter(a -> a.statusCode() == 429).toList();
        // a token bucket: a full second's 20 at once, then 20 more per second the 60 requests took (a slow machine
        // takes over a second for them)
        assertThat(answers.stream().filter(a -> a.statusCode() == 404).count()).as("answered in %.2f s", seconds)
                .isBetween(20L, 20L + (long) Math.ceil(20 * seconds) + 1);
        assertThat(limited).isNotEmpty();
        assertThat(limited.get(0).headers().firstValue("Retry-After")).contains("1");
        assertThat(limited.get(0).body()).contains("\"error\":\"too_many_requests\"");
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200); // not limited
    }
}
