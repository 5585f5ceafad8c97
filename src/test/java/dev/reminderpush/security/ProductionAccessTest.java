package dev.reminderpush.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.RedisSnapshot;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

@ActiveProfiles("production")
@TestPropertySource(properties = {
        "reminders.security.accounts[0].name=shop",
        "reminders.security.accounts[0].keys=old-shop-key," + ProductionAccessTest.NEW_SHOP_KEY_DIGEST,
        "reminders.security.accounts[0].roles=producer",
        "reminders.security.accounts[1].name=dashboard",
        "reminders.security.accounts[1].keys=reader-key",
        "reminders.security.accounts[1].roles=reader",
        "reminders.security.accounts[2].name=ops",
        "reminders.security.accounts[2].keys=ops-key",
        "reminders.security.accounts[2].roles=operator",
        "reminders.push.token-secret=" + ProductionAccessTest.PUSH_SECRET})
class ProductionAccessTest extends IntegrationTest {

    /** sha256("new-shop-key"), the form keys should be configured in. */
    static final String NEW_SHOP_KEY_DIGEST = "{sha256}1eb21256f1633965b2cdb05862739ebeced32e2dc340289aa2e87912e23e5f05";

    static final String PUSH_SECRET = "production-push-secret-of-32-bytes!";

    @LocalServerPort
    int port;

    /** Only a signed token says who a push client is: the userId parameter, a forged or expired token get 401. */
    @Test
    void pushClientsAreWhoTheirSignedTokenSaysAndNothingElse() throws Exception {
        dev.reminderpush.push.PushTokens tokens = new dev.reminderpush.push.PushTokens(PUSH_SECRET);
        String valid = tokens.issue("42", Instant.now().plusSeconds(600));
        try (dev.reminderpush.testing.PushClient client = dev.reminderpush.testing.PushClient.connect(
                "ws://127.0.0.1:" + port + "/push/ws?token=" + valid)) {
            assertThat(client.isClosed()).isFalse();
        }
        for (String query : new String[] {"userId=42", "token=" + tokens.issue("42", Instant.now().minusSeconds(1)),
                "token=" + new dev.reminderpush.push.PushTokens("a-forged-secret-of-thirty-two-bytes").issue("42",
                        Instant.now().plusSeconds(600)), "userId=42&token=garbage"}) {
            HttpResponse<String> refused = anonymous.get("/push/sse?" + query);
            assertThat(refused.statusCode()).as(query).isEqualTo(401);
            assertThat(refused.body()).as(query).contains("\"error\":\"unauthorized\"").contains("\"field\":\"token\"");
        }
    }

    Http anonymous;
    String reminder;

    @BeforeEach
    void setUp() {
        anonymous = new Http(port);
        reminder = "{\"dueAt\":\"" + Instant.now().plusSeconds(3600) + "\",\"title\":\"t\",\"body\":\"b\"}";
    }

    @Test
    void theDigestConstantIsTheDigestOfTheNewKey() {
        assertThat("{sha256}" + HexFormat.of().formatHex(ApiKeyAuthentication.sha256("new-shop-key")))
                .isEqualTo(NEW_SHOP_KEY_DIGEST);
    }

    @Test
    void writingNeedsAProducerAndARejectedWriteChangesNothing() {
        Map<String, String> before = RedisSnapshot.of(redis);
        HttpResponse<String> noCredentials = anonymous.put("/api/reminders/42/coupon", reminder);
        assertThat(noCredentials.statusCode()).isEqualTo(401);
        assertThat(noCredentials.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"reminder-push\"");
        assertThat(noCredentials.body()).contains("\"error\":\"unauthorized\"");
        assertThat(anonymous.as("shop", "wrong").put("/api/reminders/42/coupon", reminder).statusCode()).isEqualTo(401);
        assertThat(anonymous.as("nobody", "old-shop-key").put("/api/reminders/42/coupon", reminder).statusCode()).isEqualTo(401);
        HttpResponse<String> reader = anonymous.as("dashboard", "reader-key").put("/api/reminders/42/coupon", reminder);
        assertThat(reader.statusCode()).isEqualTo(403);
        assertThat(reader.body()).contains("\"error\":\"forbidden\"");
        assertThat(anonymous.as("dashboard", "reader-key").delete("/api/reminders/42/coupon").statusCode()).isEqualTo(403);
        assertThat(anonymous.as("ops", "ops-key").post("/api/reminders/batch", "[]").statusCode()).isEqualTo(403);
        assertThat(RedisSnapshot.of(redis)).isEqualTo(before);

        // both keys of the account work while it rotates
        assertThat(anonymous.as("shop", "old-shop-key").put("/api/reminders/42/coupon", reminder).statusCode()).isEqualTo(201);
        assertThat(anonymous.as("shop", "new-shop-key").put("/api/reminders/42/coupon", reminder).statusCode()).isEqualTo(200);
        assertThat(anonymous.as("shop", "new-shop-key").delete("/api/reminders/42/coupon").statusCode()).isEqualTo(204);
    }

    @Test
    void readingNeedsAnAccountByDefault() {
        assertThat(anonymous.as("shop", "new-shop-key").put("/api/reminders/7/sale", reminder).statusCode()).isEqualTo(201);
        assertThat(anonymous.get("/api/reminders/7/sale").statusCode()).isEqualTo(401);
        assertThat(anonymous.as("dashboard", "reader-key").get("/api/reminders/7/sale").statusCode()).isEqualTo(200);
        assertThat(anonymous.as("ops", "ops-key").get("/api/reminders/7/sale").statusCode()).isEqualTo(200);
        assertThat(anonymous.as("shop", "old-shop-key").get("/api/reminders/7/sale").statusCode()).isEqualTo(200);
    }

    @Test
    void deadLettersAndConsolesNeedAnOperatorHealthIsOpen() {
        assertThat(anonymous.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        for (String path : new String[] {"/api/dead-letters", "/api/operator/overview", "/console/", "/console/console.js", "/actuator/info",
                "/actuator/jolokia/read/java.lang:type=Memory", "/actuator/hawtio/"}) {
            assertThat(anonymous.get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.as("ops", "wrong").get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.as("shop", "old-shop-key").get(path).statusCode()).as(path).isEqualTo(403);
            assertThat(anonymous.as("ops", "ops-key").get(path).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(anonymous.as("shop", "old-shop-key").post("/api/dead-letters/redrive", "{}").statusCode()).isEqualTo(403);
        assertThat(anonymous.as("shop", "old-shop-key").post("/api/operator/claiming/pause", "").statusCode()).isEqualTo(403);
        assertThat(anonymous.get("/api-docs").statusCode()).as("the contract is open").isEqualTo(200);
    }
}
