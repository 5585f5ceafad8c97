package dev.reminderpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.RedisSnapshot;
import dev.reminderpush.testing.TestInfrastructure;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

class ReminderApiTest extends IntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    ObjectMapper mapper;

    Http http;
    final Instant due = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    String body(Instant dueAt, String title) {
        return """
                {"dueAt":"%s","title":"%s","body":"Your coupon can be claimed in one minute","data":{"couponId":7}}"""
                .formatted(dueAt, title);
    }

    JsonNode json(HttpResponse<String> response) throws Exception {
        return mapper.readTree(response.body());
    }

    @Test
    void putCreatesThenReplaces() throws Exception {
        HttpResponse<String> created = http.put("/api/reminders/42/coupon-7", body(due, "first"));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("application/json"));
        JsonNode first = json(created);
        assertThat(first.get("id").asText()).isEqualTo("42:coupon-7");
        assertThat(first.get("shard").asInt()).isEqualTo(13);
        assertThat(Instant.parse(first.get("dueAt").asText())).isEqualTo(due);
        assertThat(redis.opsForZSet().score("reminders:{13}:due", "42:coupon-7")).isEqualTo((double) due.toEpochMilli());

        Instant later = due.plusSeconds(60);
        HttpResponse<String> replaced = http.put("/api/reminders/42/coupon-7", body(later, "second"));
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(json(replaced).get("revision").asLong()).isGreaterThan(first.get("revision").asLong());
        assertThat(redis.opsForZSet().score("reminders:{13}:due", "42:coupon-7")).isEqualTo((double) later.toEpochMilli());
        assertThat(redis.opsForZSet().size("reminders:{13}:due")).isEqualTo(1);
    }

    @Test
    void acceptsEpochMillis() throws Exception {
        HttpResponse<String> response = http.put("/api/reminders/42/coupon-7",
                "{\"dueAt\":" + due.toEpochMilli() + ",\"title\":\"t\",\"body\":\"b\",\"channel\":\"http\"}");
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(Instant.parse(json(response).get("dueAt").asText())).isEqualTo(due);
    }

    /** A client that percent-encodes path parameters (as encodeURIComponent does) addresses the same reminder. */
    @Test
    void percentEncodedPathParametersAreDecoded() throws Exception {
        assertThat(http.put("/api/reminders/alice%40example.com/flash%3Asale-2", body(due, "encoded")).statusCode()).isEqualTo(201);
        HttpResponse<String> plain = http.get("/api/reminders/alice@example.com/flash:sale-2");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(json(plain).get("id").asText()).isEqualTo("alice@example.com:flash:sale-2");
        assertThat(http.get("/api/reminders/alice%40example.com").statusCode()).isEqualTo(200);
        assertThat(http.delete("/api/reminders/alice%40example.com/flash%3Asale-2").statusCode()).isEqualTo(204);
        assertThat(http.get("/api/reminders/alice%2Bx%25/a").statusCode()).as("a decoded % is still refused").isEqualTo(400);
    }

    @Test
    void getShowsStateAndPayload() throws Exception {
        http.put("/api/reminders/alice@example.com/flash:sale-1", body(due, "hello"));
        HttpResponse<String> response = http.get("/api/reminders/alice@example.com/flash:sale-1");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode view = json(response);
        assertThat(view.get("state").asText()).isEqualTo("scheduled");
        assertThat(view.get("title").asText()).isEqualTo("hello");
        assertThat(view.get("data").get("couponId").asInt()).isEqualTo(7);
        assertThat(view.get("shard").asInt()).isEqualTo(7);
        assertThat(Instant.parse(view.get("dueAt").asText())).isEqualTo(due);
    }

    @Test
    void getAndDeleteUnknownAre404() throws Exception {
        HttpResponse<String> get = http.get("/api/reminders/42/nothing");
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(json(get).get("error").asText()).isEqualTo("not_found");
        assertThat(http.delete("/api/reminders/42/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void deleteRemovesDueEntryAndPayload() {
        http.put("/api/reminders/42/coupon-7", body(due, "x"));
        assertThat(http.delete("/api/reminders/42/coupon-7").statusCode()).isEqualTo(204);
        assertThat(redis.opsForZSet().size("reminders:{13}:due")).isZero();
        assertThat(redis.opsForHash().size("reminders:{13}:payload")).isZero();
        assertThat(http.get("/api/reminders/42/coupon-7").statusCode()).isEqualTo(404);
    }

    @Test
    void batchAppliesGoodItemsAndNamesBadOnes() throws Exception {
        http.put("/api/reminders/7/old", body(due, "existing"));
        String batch = """
                [{"userId":"1","subject":"a","dueAt":"%1$s","title":"t","body":"b"},
                 {"userId":"2","subject":"b","dueAt":"yesterday-ish","title":"t","body":"b"},
                 {"userId":"7","subject":"old","dueAt":"%1$s","title":"t2","body":"b"},
                 {"userId":"bad:id","subject":"c","dueAt":"%1$s","title":"t","body":"b"},
                 42]""".formatted(due);
        HttpResponse<String> response = http.post("/api/reminders/batch", batch);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json(response);
        assertThat(answer.get("created").asInt()).isEqualTo(1);
        assertThat(answer.get("replaced").asInt()).isEqualTo(1);
        assertThat(answer.get("rejected").asInt()).isEqualTo(3);
        JsonNode results = answer.get("results");
        assertThat(results.get(0).get("status").asInt()).isEqualTo(201);
        assertThat(results.get(1).get("status").asInt()).isEqualTo(400);
        assertThat(results.get(1).get("field").asText()).isEqualTo("dueAt");
        assertThat(results.get(2).get("status").asInt()).isEqualTo(200);
        assertThat(results.get(3).get("field").asText()).isEqualTo("userId");
        assertThat(results.get(4).get("index").asInt()).isEqualTo(4);
        assertThat(http.get("/api/reminders/1/a").statusCode()).isEqualTo(200);
        assertThat(http.get("/api/reminders/2/b").statusCode()).isEqualTo(404);
    }

    @Test
    void batchOverTheLimitIsRejectedWhole() {
        StringBuilder items = new StringBuilder("[");
        for (int i = 0; i <= 10_000; i++) {
            items.append(i == 0 ? "" : ",").append("{\"userId\":\"u").append(i)
                    .append("\",\"subject\":\"s\",\"dueAt\":").append(due.toEpochMilli()).append(",\"title\":\"t\",\"body\":\"b\"}");
        }
        HttpResponse<String> response = http.post("/api/reminders/batch", items.append("]").toString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("at most 10000");
        assertThat(RedisSnapshot.of(redis)).isEmpty();
    }

    /** Each class of bad input: 400, a JSON error naming the field, and nothing written. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            malformed JSON          | 42    | coupon-7 | {"dueAt":                                                   |
            not an object           | 42    | coupon-7 | ["dueAt"]                                                   |
            missing dueAt           | 42    | coupon-7 | {"title":"t","body":"b"}                                    | dueAt
            unparseable dueAt       | 42    | coupon-7 | {"dueAt":"tomorrow","title":"t","body":"b"}                 | dueAt
            dueAt wrong type        | 42    | coupon-7 | {"dueAt":true,"title":"t","body":"b"}                       | dueAt
            dueAt in epoch seconds  | 42    | coupon-7 | {"dueAt":1763700000,"title":"t","body":"b"}                 | dueAt
            dueAt absurdly old      | 42    | coupon-7 | {"dueAt":"1999-01-01T00:00:00Z","title":"t","body":"b"}     | dueAt
            dueAt absurdly far      | 42    | coupon-7 | {"dueAt":"9999-01-01T00:00:00Z","title":"t","body":"b"}     | dueAt
            missing title           | 42    | coupon-7 | {"dueAt":"NOW","body":"b"}                                  | title
            title wrong type        | 42    | coupon-7 | {"dueAt":"NOW","title":5,"body":"b"}                        | title
            blank title             | 42    | coupon-7 | {"dueAt":"NOW","title":"  ","body":"b"}                     | title
            missing body            | 42    | coupon-7 | {"dueAt":"NOW","title":"t"}                                 | body
            unknown channel         | 42    | coupon-7 | {"dueAt":"NOW","title":"t","body":"b","channel":"sms"}      | channel
            data not an object      | 42    | coupon-7 | {"dueAt":"NOW","title":"t","body":"b","data":[1]}           | data
            unknown field           | 42    | coupon-7 | {"dueAt":"NOW","title":"t","body":"b","dueat":"x"}          | dueat
            bad user id             | a%7Bb  | coupon-7 | {"dueAt":"NOW","title":"t","body":"b"}                      | userId
            bad subject             | 42    | a%20b    | {"dueAt":"NOW","title":"t","body":"b"}                      | subject
            """)
    void badInputIs400AndWritesNothing(String label, String userId, String subject, String json, String field) throws Exception {
        http.put("/api/reminders/99/existing", body(due, "untouched"));
        Map<String, String> before = RedisSnapshot.of(redis);

        HttpResponse<String> response = http.put("/api/reminders/" + userId + "/" + subject,
                json.replace("NOW", due.toString()));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = json(response);
        assertThat(error.get("message").asText()).isNotBlank();
        if (field == null) {
            assertThat(error.has("field")).isFalse();
        } else {
            assertThat(error.get("field").asText()).isEqualTo(field);
        }
        assertThat(RedisSnapshot.of(redis)).isEqualTo(before);
    }

    @Test
    void payloadOverTheLimitIs400() throws Exception {
        String huge = "x".repeat(17 * 1024);
        HttpResponse<String> response = http.put("/api/reminders/42/coupon-7",
                "{\"dueAt\":\"" + due + "\",\"title\":\"t\",\"body\":\"b\",\"data\":{\"blob\":\"" + huge + "\"}}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("field").asText()).isEqualTo("data");
        assertThat(RedisSnapshot.of(redis)).isEmpty();
    }

    @Test
    void invalidUtf8Is400() throws Exception {
        byte[] body = "{\"dueAt\":\"x\",\"title\":\"\u00ff\",\"body\":\"b\"}".getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> response = http.put("/api/reminders/42/coupon-7", body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("malformed_json");
        assertThat(RedisSnapshot.of(redis)).isEmpty();
    }

    @Test
    void redisDownIs503WithClearMessage() throws Exception {
        TestInfrastructure.get().redis().stop();
        try {
            HttpResponse<String> response = http.put("/api/reminders/42/coupon-7", body(due, "t"));
            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode error = json(response);
            assertThat(error.get("error").asText()).isEqualTo("store_unavailable");
            assertThat(response.body()).doesNotContain("Exception");
            assertThat(http.get("/api/reminders/42/coupon-7").statusCode()).isEqualTo(503);
        } finally {
            TestInfrastructure.get().redis().start();
        }
        // the client reconnects by itself, and the 503'd write never landed
        HttpResponse<String> after = awaitNot503(() -> http.get("/api/reminders/42/coupon-7"));
        assertThat(after.statusCode()).isEqualTo(404);
    }

    private static HttpResponse<String> awaitNot503(java.util.function.Supplier<HttpResponse<String>> call) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        HttpResponse<String> response = call.get();
        while (response.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = call.get();
        }
        return response;
    }
}
