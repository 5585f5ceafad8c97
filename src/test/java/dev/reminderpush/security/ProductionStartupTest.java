package dev.reminderpush.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.Http;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class ProductionStartupTest {

    @Test
    void productionWithoutAccountsRefusesToStart() {
        assertThatThrownBy(() -> new BundleInstance(Map.of("spring.profiles.active", "production",
                "reminders.dispatch.enabled", "false")).close())
                .rootCause()
                .hasMessageContaining("Profile production needs at least one account in reminders.security.accounts");
    }

    @Test
    void readsCanBeOpenAndKeysNeverReachTheLog(CapturedOutput output) {
        try (BundleInstance bundle = new BundleInstance(Map.of("spring.profiles.active", "production",
                "reminders.dispatch.enabled", "false",
                "reminders.security.reads", "open",
                "reminders.security.accounts[0].name", "shop",
                "reminders.security.accounts[0].keys", "shop-key",
                "reminders.security.accounts[0].roles", "producer"))) {
            Http http = new Http(bundle.httpPort());
            String reminder = "{\"dueAt\":\"" + Instant.now().plusSeconds(3600) + "\",\"title\":\"t\",\"body\":\"b\"}";
            assertThat(http.put("/api/reminders/open-reads/s", reminder).statusCode()).isEqualTo(401);
            assertThat(http.as("shop", "shop-key").put("/api/reminders/open-reads/s", reminder).statusCode()).isIn(200, 201);
            assertThat(http.get("/api/reminders/open-reads/s").statusCode()).isEqualTo(200);
            assertThat(http.get("/api/dead-letters").statusCode()).isEqualTo(401);
            assertThat(http.as("shop", "wrong-key").get("/api/dead-letters").statusCode()).isEqualTo(401);
        }
        assertThat(output.getAll()).contains("Started ").doesNotContain("shop-key").doesNotContain("wrong-key")
                .doesNotContain("Using generated security password");
    }
}
