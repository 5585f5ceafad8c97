package dev.reminderpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.RedisSnapshot;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Generated hostile input against the REST API (jqwik generators, a few hundred cases per run): whatever
 * arrives, the answer is never a 500, a rejected request writes nothing, and every key stays inside its
 * shard's hash tag.
 */
class HostileInputTest extends IntegrationTest {

    private static final Pattern SHARD_KEY = Pattern.compile("reminders:\\{\\d{1,2}}:[a-z-]+");

    @LocalServerPort
    int port;

    Http http;
    final Random random = new Random(2026);

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    /** Any character, including ':', '{', '}', newlines, quotes, Lua and Redis specials and non-ASCII. */
    static Arbitrary<String> nastyText(int max) {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(max),
                Arbitraries.strings().withChars(":{}[]\"\\\n\r\t %'`$*?~#@+-._/;,=\u0000\u00e9\u4e2d\ud83d\ude00")
                        .ofMinLength(1).ofMaxLength(max),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(max));
    }

    Arbitrary<String> jsonValues() {
        return Arbitraries.oneOf(
                nastyText(40).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.longs().map(Object::toString),
                Arbitraries.doubles().map(Object::toString),
                Arbitraries.of("true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":{}}", "1e400", "-0", "\"2026-02-30T00:00:00Z\"",
                        "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"", "9223372036854775807",
                        "-9223372036854775808", "\"\"", "\"   \""));
    }

    String randomBody() {
        List<String> fields = List.of("dueAt", "title", "body", "channel", "data", "userId", "subject", "type", "x");
        StringBuilder json = new StringBuilder("{");
        int n = random.nextInt(7);
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(fields.get(random.nextInt(fields.size()))).append("\":")
                    .append(jsonValues().sample());
        }
        return json.append('}').toString();
    }

    void assertSafe(HttpResponse<String> response, Map<String, String> before, String what) {
        assertThat(response.statusCode()).as(what + " -> " + response.body()).isNotEqualTo(500).isLessThan(500);
        if (response.statusCode() >= 400) {
            assertThat(RedisSnapshot.of(redis)).as("a rejected request wrote something: " + what).isEqualTo(before);
        }
        for (String key : redis.keys("*")) {
            assertThat(RedisSnapshot.isLayoutKey(key) || SHARD_KEY.matcher(key).matches()).as(key).isTrue();
        }
    }

    @Test
    void randomIdsAndBodiesNeverBreakTheApi() {
        for (int i = 0; i < 300; i++) {
            String user = URLEncoder.encode(nastyText(20).sample(), StandardCharsets.UTF_8).replace("+", "%20");
            String subject = URLEncoder.encode(nastyText(20).sample(), StandardCharsets.UTF_8).replace("+", "%20");
            if (user.isEmpty() || subject.isEmpty()) {
                continue;
            }
            String body = randomBody();
            Map<String, String> before = RedisSnapshot.of(redis);
            assertSafe(http.put("/api/reminders/" + user + "/" + subject, body), before, user + "/" + subject + " " + body);
            assertSafe(http.get("/api/reminders/" + user + "/" + subject), RedisSnapshot.of(redis), "GET " + user);
        }
    }

    @Test
    void randomBatchesNeverBreakTheApi() {
        for (int i = 0; i < 100; i++) {
            StringBuilder batch = new StringBuilder("[");
            int n = random.nextInt(5);
            for (int j = 0; j < n; j++) {
                batch.append(j == 0 ? "" : ",").append(random.nextBoolean() ? randomBody() : jsonValues().sample());
            }
            String body = random.nextInt(10) == 0 ? randomBody() : batch.append(']').toString();
            Map<String, String> before = RedisSnapshot.of(redis);
            HttpResponse<String> response = http.post("/api/reminders/batch", body);
            assertSafe(response, before, body);
        }
    }

    @Test
    void deepNestingHugeBodiesAndBrokenBytesAreRejectedCleanly() {
        Map<String, String> before = RedisSnapshot.of(redis);
        String deep = "{\"dueAt\":1,\"data\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
        assertSafe(http.put("/api/reminders/42/deep", deep), before, "deep nesting");
        assertThat(http.put("/api/reminders/42/deep", deep).statusCode()).isEqualTo(400);

        String huge = "{\"dueAt\":1,\"title\":\"" + "x".repeat(5_000_000) + "\",\"body\":\"b\"}";
        assertSafe(http.put("/api/reminders/42/huge", huge), before, "5 MB body");

        byte[] broken = {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        HttpResponse<String> response = http.put("/api/reminders/42/bytes", broken);
        assertSafe(response, before, "invalid UTF-8");
        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void dataNestsAtMostThirtyTwoLevels() {
        String due = java.time.Instant.now().plusSeconds(600).toString();
        String ok = "{\"dueAt\":\"" + due + "\",\"title\":\"t\",\"body\":\"b\",\"data\":"
                + "{\"a\":".repeat(31) + "[]" + "}".repeat(31) + "}";
        assertThat(http.put("/api/reminders/42/deep-ok", ok).statusCode()).isEqualTo(201);
        String tooDeep = "{\"dueAt\":\"" + due + "\",\"title\":\"t\",\"body\":\"b\",\"data\":"
                + "{\"a\":".repeat(32) + "[]" + "}".repeat(32) + "}";
        Map<String, String> before = RedisSnapshot.of(redis);
        HttpResponse<String> response = http.put("/api/reminders/42/deep-no", tooDeep);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"data\"");
        assertSafe(response, before, "data 33 levels deep");
    }
}
