package dev.reminderpush.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

@ActiveProfiles("production")
@TestPropertySource(properties = {"spring.security.user.name=ops", "spring.security.user.password=s3cret"})
class ProductionConsoleSecurityTest extends IntegrationTest {

    @LocalServerPort
    int port;

    int status(String path, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes()));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void healthIsOpenConsolesNeedTheOperatorAccount() throws Exception {
        assertThat(status("/actuator/health", null)).isEqualTo(200);
        assertThat(status("/actuator/health/readiness", null)).isEqualTo(200);
        for (String console : new String[] {"/actuator/prometheus", "/actuator/jolokia/read/java.lang:type=Memory", "/actuator/hawtio/"}) {
            assertThat(status(console, null)).as(console).isEqualTo(401);
            assertThat(status(console, "ops:wrong")).as(console).isEqualTo(401);
        }
        assertThat(status("/actuator/jolokia/read/java.lang:type=Memory", "ops:s3cret")).isEqualTo(200);
        assertThat(status("/actuator/hawtio/", "ops:s3cret")).isEqualTo(200);
    }

    @Test
    void theReminderApiStillWorks() {
        assertThat(new Http(port).put("/api/reminders/42/sec", "{\"dueAt\":\"" + java.time.Instant.now().plusSeconds(3600) + "\",\"title\":\"t\",\"body\":\"b\"}")
                .statusCode()).isEqualTo(201);
    }
}
