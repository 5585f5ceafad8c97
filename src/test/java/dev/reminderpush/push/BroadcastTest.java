package dev.reminderpush.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.PushClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Scheduled topic broadcasts with real WebSocket clients on two instances: this test's bundle (A, claiming nothing)
 * and a dispatching instance (B). Each subscriber gets a broadcast once per connection, whichever instance holds it.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BroadcastTest extends IntegrationTest {

    static BundleInstance dispatcher;

    @AfterAll
    static void stopDispatcher() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    @Autowired
    PushConnections connections;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    Http http;
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeEach
    void setUp() {
        http = new Http(port);
        if (dispatcher == null) {
            dispatcher = new BundleInstance(BundleInstance.dispatching("broadcast-dispatcher"));
        }
    }

    String broadcast(String dueAt, String title) {
        return "{\"dueAt\":\"" + dueAt + "\",\"title\":\"" + title + "\",\"body\":\"Lakers 102 : 99 Celtics\"}";
    }

    @Test
    void aBroadcastReachesEachOfAThousandSubscribersOnTwoInstancesOnce() throws Exception {
        HttpClient shared = HttpClient.newHttpClient();
        List<PushClient> clients = new ArrayList<>();
        PushConnections onB = dispatcher.bean(PushConnections.class);
        try {
            for (int i = 0; i < 1_000; i++) {
                PushClient client = PushClient.connect(shared, i % 2 == 0 ? port : dispatcher.httpPort(), "fan-" + i);
                client.subscribe("nba-live");
                clients.add(client);
            }
            try (PushClient otherTopic = PushClient.connect(port, "fan-of-chess", null)) {
                otherTopic.subscribe("chess");
                await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(c -> c.subscribed("nba-live"))
                        && otherTopic.subscribed("chess"));
                assertThat(connections.subscribersOf("nba-live")).isEqualTo(500);
                assertThat(onB.subscribersOf("nba-live")).isEqualTo(500);
                double sentBefore = meters.counter("reminders.push.broadcast.sent").count();

                var reply = http.put("/api/broadcasts/nba-live/q4-score", broadcast(Instant.now().toString(), "Q4"));
                assertThat(reply.statusCode()).isEqualTo(201);
                assertThat(mapper.readTree(reply.body()).get("topic").asText()).isEqualTo("nba-live");

                await().atMost(Duration.ofSeconds(20)).until(() -> clients.stream().allMatch(c -> c.broadcasts().size() == 1));
                Thread.sleep(1_500); // and nothing more
                for (PushClient client : clients) {
                    List<JsonNode> received = client.broadcasts();
                    assertThat(received).hasSize(1);
                    assertThat(received.get(0).get("topic").asText()).isEqualTo("nba-live");
                    assertThat(received.get(0).get("message").get("reminders").get(0).get("title").asText()).isEqualTo("Q4");
                }
                assertThat(otherTopic.broadcasts()).isEmpty();
                assertThat(meters.counter("reminders.push.broadcast.sent").count() - sentBefore).isEqualTo(500);
                await().until(() -> http.get("/api/broadcasts/nba-live/q4-score").statusCode() == 404);
            }
        } finally {
            clients.forEach(PushClient::close);
        }
    }

    @Test
    void aCancelledBroadcastReachesNobodyAndAnUnsubscribedConnectionGetsNothing() throws Exception {
        try (PushClient stays = PushClient.connect(port, "fan-stays", null);
                PushClient leaves = PushClient.connect(dispatcher.httpPort(), "fan-leaves", null)) {
            stays.subscribe("cup-final");
            leaves.subscribe("cup-final");
            await().until(() -> stays.subscribed("cup-final") && leaves.subscribed("cup-final"));
            leaves.send("{\"unsubscribe\":\"cup-final\"}");
            await().until(() -> dispatcher.bean(PushConnections.class).subscribersOf("cup-final") == 0);

            assertThat(http.put("/api/broadcasts/cup-final/kick-off", broadcast(Instant.now().plusSeconds(2).toString(), "cancelled"))
                    .statusCode()).isEqualTo(201);
            var view = mapper.readTree(http.get("/api/broadcasts/cup-final/kick-off").body());
            assertThat(view.get("state").asText()).isEqualTo("scheduled");
            assertThat(http.delete("/api/broadcasts/cup-final/kick-off").statusCode()).isEqualTo(204);
            assertThat(http.put("/api/broadcasts/cup-final/goal", broadcast(Instant.now().toString(), "Goal")).statusCode()).isEqualTo(201);

            await().atMost(Duration.ofSeconds(20)).until(() -> stays.broadcasts().size() == 1);
            Thread.sleep(3_000); // past the cancelled one's due time
            assertThat(stays.broadcasts()).extracting(b -> b.get("message").get("reminders").get(0).get("title").asText())
                    .containsExactly("Goal");
            assertThat(leaves.broadcasts()).isEmpty();
        }
    }

    @Test
    void badBroadcastsAndBadSubscriptionsAreRefusedNamingTheField() throws Exception {
        String now = Instant.now().toString();
        var badTopic = http.put("/api/broadcasts/nba%20live/x", broadcast(now, "t"));
        assertThat(badTopic.statusCode()).isEqualTo(400);
        assertThat(mapper.readTree(badTopic.body()).get("field").asText()).isEqualTo("topic");
        var withChannel = http.put("/api/broadcasts/nba-live/x",
                "{\"dueAt\":\"" + now + "\",\"title\":\"t\",\"body\":\"b\",\"channel\":\"kafka\"}");
        assertThat(withChannel.statusCode()).isEqualTo(400);
        assertThat(mapper.readTree(withChannel.body()).get("field").asText()).isEqualTo("channel");
        // a reminder cannot pose as a broadcast
        var posing = http.put("/api/reminders/u1/x", "{\"dueAt\":\"" + now + "\",\"title\":\"t\",\"body\":\"b\",\"channel\":\"broadcast\"}");
        assertThat(posing.statusCode()).isEqualTo(400);
        assertThat(mapper.readTree(posing.body()).get("field").asText()).isEqualTo("channel");
        assertThat(redis.keys("reminders:{*")).isEmpty(); // nothing stored

        // a broadcast's dead letter is named ~<topic>:<subject>: the dead-letter API takes that id (404: none here)
        assertThat(http.delete("/api/dead-letters/~nba-live:x").statusCode()).isEqualTo(404);
        assertThat(http.post("/api/dead-letters/redrive", "{\"ids\":[\"~nba-live:x\"]}").statusCode()).isEqualTo(200);
        assertThat(http.delete("/api/dead-letters/~no%20such:x").statusCode()).isEqualTo(400);

        try (PushClient client = PushClient.connect(port, "fan-bad", null)) {
            client.send("{\"subscribe\":\"no spaces\"}");
            await().until(() -> client.frames().size() == 1);
            assertThat(client.frames().get(0).get("field").asText()).isEqualTo("subscribe");
            assertThat(connections.subscribersOf("no spaces")).isZero();
        }
    }
}
