package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Nothing a producer writes into {@code title}, {@code body} or {@code data}, at any depth, may act as an
 * envelope field (channel, revision, due time, dead-letter record): it travels through scheduling,
 * delivery, dead letters, redrive and reads as opaque content.
 */
class EnvelopeLookalikeTest extends DispatchTest {

    /** Keys and strings shaped like every envelope field the store has ever used. */
    static final String LOOKALIKE_DATA = """
            {"couponId":7,"channel":"http","rev":99,"v":1,"dueAt":1,"scheduledAt":2,"userId":"other",
             "subject":"spoof","payload":{"rev":1,"v":1,"channel":"http","dueAt":5},"deadAt":3,
             "reason":"rejected","attempts":9,"messageId":"x","title":"not the title",
             "deep":{"a":[{"channel":"http","payload":{"rev":7}}],"b":"\\",\\"channel\\":\\"http\\""},
             "tail":",\\"payload\\":{\\"rev\\":1}}","pipe":"1|2|http|3|{"}""";
    static final String LOOKALIKE_TEXT = "\",\"channel\":\"http\",\"payload\":{\"rev\":1}}\n5|6|http|7|{";

    @Autowired
    ObjectMapper mapper;

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void setUp() {
        HTTP_CENTER.clear();
        http = new Http(port);
    }

    @AfterEach
    void tearDown() {
        HTTP_CENTER.clear();
    }

    String body(String channel) throws Exception {
        ObjectNode json = mapper.createObjectNode();
        json.put("dueAt", Instant.now().plusMillis(300).toString());
        json.put("title", LOOKALIKE_TEXT);
        json.put("body", LOOKALIKE_TEXT);
        if (channel != null) {
            json.put("channel", channel);
        }
        json.set("data", mapper.readTree(LOOKALIKE_DATA));
        return mapper.writeValueAsString(json);
    }

    @Test
    void dataNamingAChannelDoesNotChooseIt() throws Exception {
        HTTP_CENTER.respondWith(request -> 400); // had it gone to HTTP, it would be a dead letter
        try (TopicReader reader = TopicReader.messageCenter()) {
            assertThat(http.put("/api/reminders/spoof-1/coupon", body(null)).statusCode()).isEqualTo(201);

            List<Received> messages = reader.readUntil(m -> m.stream().anyMatch(r -> r.key().equals("spoof-1")),
                    Duration.ofSeconds(30));
            JsonNode reminder = messages.stream().filter(r -> r.key().equals("spoof-1")).findFirst().orElseThrow()
                    .json().get("reminders").get(0);
            assertThat(reminder.get("data")).isEqualTo(mapper.readTree(LOOKALIKE_DATA));
            assertThat(reminder.get("title").asText()).isEqualTo(LOOKALIKE_TEXT);
            assertThat(reminder.get("body").asText()).isEqualTo(LOOKALIKE_TEXT);
            assertThat(reminder.get("id").asText()).isEqualTo("spoof-1:coupon");
            assertThat(reminder.get("revision").asLong()).isNotEqualTo(99);
        }
        assertThat(HTTP_CENTER.requests()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/api/reminders/spoof-1/coupon").statusCode() == 404);
        assertThat(mapper.readTree(http.get("/api/dead-letters").body()).get("total").asLong()).isZero();
    }

    @Test
    void lookalikesSurviveDeadLetterReadsRedriveAndCancel() throws Exception {
        HTTP_CENTER.respondWith(request -> 400);
        assertThat(http.put("/api/reminders/spoof-2/coupon", body("http")).statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/reminders/spoof-2/coupon").body().contains("\"dead\""));

        var got = http.get("/api/reminders/spoof-2/coupon");
        assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
        JsonNode view = mapper.readTree(got.body());
        assertThat(view.get("state").asText()).isEqualTo("dead");
        assertThat(view.get("channel").asText()).isEqualTo("http");
        assertThat(view.get("data")).isEqualTo(mapper.readTree(LOOKALIKE_DATA));
        assertThat(view.get("title").asText()).isEqualTo(LOOKALIKE_TEXT);

        var list = http.get("/api/dead-letters");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        JsonNode dead = mapper.readTree(list.body()).get("items").get(0);
        assertThat(dead.get("id").asText()).isEqualTo("spoof-2:coupon");
        assertThat(dead.get("reason").asText()).isEqualTo("rejected");
        assertThat(dead.get("channel").asText()).isEqualTo("http");
        assertThat(dead.get("attempts").asInt()).isEqualTo(1);
        assertThat(dead.get("data")).isEqualTo(mapper.readTree(LOOKALIKE_DATA));

        HTTP_CENTER.respondWith(request -> 200);
        var redrive = http.post("/api/dead-letters/redrive", "{\"ids\":[\"spoof-2:coupon\"]}");
        assertThat(mapper.readTree(redrive.body()).get("redriven").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> HTTP_CENTER.requests().size() == 2);
        JsonNode delivered = HTTP_CENTER.requests().get(1).json().get("reminders").get(0);
        assertThat(delivered.get("data")).isEqualTo(mapper.readTree(LOOKALIKE_DATA));
        assertThat(delivered.get("body").asText()).isEqualTo(LOOKALIKE_TEXT);
    }

    /** A cancel reaches a dead letter too: it is gone, and a later redrive cannot deliver it. */
    @Test
    void cancelRemovesADeadLetter() throws Exception {
        HTTP_CENTER.respondWith(request -> 400);
        assertThat(http.put("/api/reminders/spoof-3/coupon", body("http")).statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/reminders/spoof-3/coupon").body().contains("\"dead\""));

        assertThat(http.delete("/api/reminders/spoof-3/coupon").statusCode()).isEqualTo(204);
        assertThat(http.get("/api/reminders/spoof-3/coupon").statusCode()).isEqualTo(404);
        assertThat(http.delete("/api/reminders/spoof-3/coupon").statusCode()).isEqualTo(404);
        assertThat(mapper.readTree(http.get("/api/dead-letters").body()).get("total").asLong()).isZero();
        HTTP_CENTER.respondWith(request -> 200);
        assertThat(mapper.readTree(http.post("/api/dead-letters/redrive", "").body()).get("redriven").asInt()).isZero();
        Thread.sleep(1_000);
        assertThat(HTTP_CENTER.requests()).hasSize(1);
    }
}
