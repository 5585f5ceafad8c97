package dev.reminderpush.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.PushClient;
import dev.reminderpush.testing.RawWebSocket;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The websocket channel with real clients: this test's bundle (A) holds the connections and claims nothing; a
 * second instance (B) claims and delivers, so every message crosses Redis pub/sub from B's inbox append to A.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PushTest extends IntegrationTest {

    static BundleInstance dispatcher;

    @DynamicPropertySource
    static void push(DynamicPropertyRegistry registry) {
        registry.add("reminders.push.ping-interval", () -> "300ms");
        registry.add("reminders.push.idle-timeout", () -> "1s");
    }

    @AfterAll
    static void stopDispatcher() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    @Autowired
    ReminderStore store;

    @Autowired
    InboxStore inbox;

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
        if (dispatcher == null) { // after this class's own context, as in the other multi-instance tests
            dispatcher = new BundleInstance(BundleInstance.dispatching("push-dispatcher"));
        }
    }

    void schedule(String user, String subject, long millisFromNow) {
        String due = Instant.now().plusMillis(millisFromNow).truncatedTo(ChronoUnit.MILLIS).toString();
        var reply = http.put("/api/reminders/" + user + "/" + subject,
                "{\"dueAt\":\"" + due + "\",\"title\":\"" + subject + "\",\"body\":\"b\",\"channel\":\"websocket\"}");
        assertThat(reply.statusCode()).isEqualTo(201);
    }

    void awaitDelivered(String user, String... subjects) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (String subject : subjects) {
                if (store.find(new ReminderId(user, subject)).isPresent()) {
                    return false;
                }
            }
            return true;
        });
    }

    static List<String> subjects(List<JsonNode> messages) {
        List<String> subjects = new ArrayList<>();
        messages.forEach(m -> m.get("message").get("reminders").forEach(r -> subjects.add(r.get("subject").asText())));
        return subjects;
    }

    @Test
    void aReminderClaimedByAnotherInstanceReachesTheUserConnectedHereOnce() throws Exception {
        try (PushClient client = PushClient.connect(port, "ws-once", null)) {
            await().until(() -> connections.connectionsOf("ws-once") == 1);
            schedule("ws-once", "coupon", 300);

            await().atMost(Duration.ofSeconds(20)).until(() -> client.messages().size() == 1);
            awaitDelivered("ws-once", "coupon");
            Thread.sleep(1_500); // nothing more may come
            JsonNode frame = client.messages().get(0);
            assertThat(client.frames()).hasSize(1);
            assertThat(frame.get("message").get("userId").asText()).isEqualTo("ws-once");
            assertThat(frame.get("message").get("messageId").asText()).hasSize(32);
            assertThat(subjects(client.messages())).containsExactly("coupon");
            assertThat(inbox.after("ws-once", null, 10)).extracting(e -> e.id().toString()).containsExactly(frame.get("id").asText());
        }
    }

    @Test
    void anOfflineUserGetsWhatItMissedWhenItReconnectsWithItsResumeId() throws Exception {
        String seen;
        try (PushClient client = PushClient.connect(port, "ws-offline", null)) {
            await().until(() -> connections.connectionsOf("ws-offline") == 1);
            schedule("ws-offline", "first", 200);
            await().atMost(Duration.ofSeconds(20)).until(() -> client.messages().size() == 1);
            seen = client.messages().get(0).get("id").asText();
        }
        await().until(() -> connections.connectionsOf("ws-offline") == 0);
        schedule("ws-offline", "second", 200);
        schedule("ws-offline", "third", 2_500); // outside the merge window: a message of its own
        awaitDelivered("ws-offline", "second", "third");

        try (PushClient resumed = PushClient.connect(port, "ws-offline", seen)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.messages().size() == 2);
            Thread.sleep(500);
            assertThat(subjects(resumed.messages())).containsExactly("second", "third");
            assertThat(resumed.messages()).extracting(m -> m.get("id").asText()).doesNotContain(seen);
            // an ack removes what the user read: a client connecting without a resume id gets only the rest
            resumed.send("{\"ack\":\"" + resumed.messages().get(0).get("id").asText() + "\"}");
            await().until(() -> inbox.after("ws-offline", null, 10).size() == 1);
        }
        try (PushClient fresh = PushClient.connect(port, "ws-offline", null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> fresh.messages().size() == 1);
            Thread.sleep(500);
            assertThat(subjects(fresh.messages())).containsExactly("third");
        }
        assertThat(meters.counter("reminders.push.replayed").count()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void whenTheInstanceHoldingAClientGoesItsClientResumesOnAnotherOne() throws Exception {
        BundleInstance other = new BundleInstance(Map.of("reminders.dispatch.enabled", "false"));
        String seen;
        try (PushClient client = PushClient.connect(other.httpPort(), "ws-moved", null)) {
            await().until(() -> other.bean(PushConnections.class).connectionsOf("ws-moved") == 1);
            schedule("ws-moved", "before", 200);
            await().atMost(Duration.ofSeconds(20)).until(() -> client.messages().size() == 1);
            seen = client.messages().get(0).get("id").asText();
            other.close(); // clients are told to go away (1001) and reconnect
            assertThat(client.closeCode(Duration.ofSeconds(10))).isIn(1001, 1006, -1);
        }
        schedule("ws-moved", "while-away", 200);
        awaitDelivered("ws-moved", "while-away");
        try (PushClient resumed = PushClient.connect(port, "ws-moved", seen)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.messages().size() == 1);
            schedule("ws-moved", "after", 200);
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.messages().size() == 2);
            assertThat(subjects(resumed.messages())).containsExactly("while-away", "after");
        }
    }

    @Test
    void theHeartbeatClosesASilentClientAndKeepsAnAnsweringOne() throws Exception {
        double before = meters.counter("reminders.push.heartbeat.closed").count();
        try (PushClient answering = PushClient.connect(port, "ws-alive", null);
                RawWebSocket silent = new RawWebSocket(port, "/push/ws?userId=ws-silent", 0)) {
            long start = System.nanoTime();
            int code = silent.awaitClose(10_000);
            long took = (System.nanoTime() - start) / 1_000_000;
            assertThat(code).isEqualTo(4000);
            assertThat(took).isBetween(900L, 5_000L); // idle-timeout 1 s, pings every 300 ms
            assertThat(meters.counter("reminders.push.heartbeat.closed").count() - before).isEqualTo(1);
            await().until(() -> connections.connectionsOf("ws-silent") == 0);
            assertThat(answering.isClosed()).isFalse();
            assertThat(connections.connectionsOf("ws-alive")).isEqualTo(1);
        }
    }

    @Test
    void aBadRequestIsRefusedBeforeTheUpgradeWithAJsonBodyNamingTheField() throws Exception {
        assertRefused("/push/ws?userId=u1&resume=yesterday", 400, "resume");
        assertRefused("/push/ws", 401, "userId");
        assertRefused("/push/ws?userId=" + "bad%7Bid%7D", 400, "userId");
        try (PushClient client = PushClient.connect(port, "ws-garbage", null)) {
            client.send("not json");
            client.send("{\"ack\":\"nonsense\"}");
            await().until(() -> client.frames().size() == 2);
            assertThat(client.frames()).extracting(f -> f.get("error").asText()).containsExactly("invalid_frame", "invalid_frame");
            assertThat(client.frames().get(1).get("field").asText()).isEqualTo("ack");
            assertThat(client.isClosed()).isFalse();
        }
    }

    void assertRefused(String path, int status, String field) throws Exception {
        Throwable failure = null;
        try {
            PushClient.connect("ws://127.0.0.1:" + port + path).close();
        } catch (ExecutionException | CompletionException e) {
            failure = e.getCause();
        }
        assertThat(failure).as(path).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) failure).getResponse().statusCode()).as(path).isEqualTo(status);
        // the same refusal, read with a plain HTTP client, shows its JSON body
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).as(path).isEqualTo(status);
        assertThat(mapper.readTree(plain.body()).get("field").asText()).isEqualTo(field);
    }

    @Test
    void aFullInstanceRefusesWith503BeforeTheUpgrade() throws Exception {
        try (BundleInstance small = new BundleInstance(Map.of("reminders.dispatch.enabled", "false",
                "reminders.push.max-connections", "2"));
                PushClient one = connectAfterPlainRequests(small.httpPort(), "ws-full-1");
                PushClient two = PushClient.connect(small.httpPort(), "ws-full-2", null)) {
            assertThatThrownBy(() -> PushClient.connect(small.httpPort(), "ws-full-3", null))
                    .hasCauseInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(503));
            HttpResponse<String> sse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + small.httpPort() + "/push/sse?userId=ws-full-4")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sse.statusCode()).isEqualTo(503);
            assertThat(sse.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(mapper.readTree(sse.body()).get("error").asText()).isEqualTo("too_many_connections");
            one.close();
            await().until(() -> small.bean(PushConnections.class).open() == 1);
            PushClient.connect(small.httpPort(), "ws-full-3", null).close(); // a slot is free again
        }
    }

    /** Requests to /push/ws that never upgrade (no Upgrade header, a POST) must not keep the slots they were given. */
    static PushClient connectAfterPlainRequests(int port, String user) throws Exception {
        HttpClient plain = HttpClient.newHttpClient();
        for (int i = 0; i < 5; i++) {
            plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/push/ws?userId=plain-" + i)).build(),
                    HttpResponse.BodyHandlers.discarding());
            plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/push/ws?userId=post-" + i))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        }
        return PushClient.connect(port, user, null);
    }

    /**
     * A message lost on its way to this instance (pub/sub is at most once: a subscription that reconnected, a
     * subscriber Redis dropped) is found at the next message, whose previous id the connection never got: it replays.
     */
    @Test
    void aMessageLostInPubSubIsReplayedWhenTheNextOneShowsTheGap() throws Exception {
        try (PushClient client = PushClient.connect(port, "ws-gap", null)) {
            await().until(() -> connections.connectionsOf("ws-gap") == 1);
            inbox.append("ws-gap", "gap-1", "{\"n\":1}");
            await().until(() -> client.messages().size() == 1);
            // appended without being published: as if the pub/sub message were lost
            String lost = redis.opsForStream().add(org.springframework.data.redis.connection.stream.StreamRecords
                    .string(Map.of("m", "{\"n\":2}")).withStreamKey(inboxKey("ws-gap"))).getValue();
            inbox.append("ws-gap", "gap-3", "{\"n\":3}");

            await().atMost(Duration.ofSeconds(10)).until(() -> client.messages().size() == 3);
            Thread.sleep(500);
            assertThat(client.messages()).extracting(m -> m.get("message").get("n").asInt()).containsExactly(1, 2, 3);
            assertThat(client.messages().get(1).get("id").asText()).isEqualTo(lost);
        }
    }

    String inboxKey(String user) {
        return "reminders:{" + dev.reminderpush.store.ShardHash.CRC32.shardOf(user, 16) + "}:inbox:" + user;
    }

    /** An ack beyond what the connection wrote removes only what it wrote: a client cannot wipe unseen messages. */
    @Test
    void anAckIsClampedToWhatTheConnectionWrote() throws Exception {
        inbox.append("ws-ack", "ack-1", "{\"n\":1}");
        try (PushClient client = PushClient.connect(port, "ws-ack", null)) {
            await().until(() -> client.messages().size() == 1);
            redis.opsForStream().add(org.springframework.data.redis.connection.stream.StreamRecords
                    .string(Map.of("m", "{\"n\":2}")).withStreamKey(inboxKey("ws-ack"))); // not sent to this client
            client.send("{\"ack\":\"99999999999999-0\"}");
            await().until(() -> inbox.after("ws-ack", null, 10).size() == 1);
            Thread.sleep(300);
            assertThat(inbox.after("ws-ack", null, 10)).extracting(e -> e.message()).containsExactly("{\"n\":2}");
        }
    }

    /**
     * A client that acks each message the moment it arrives (as the example page does) has every ack honoured, even
     * when its ack overtakes the server's bookkeeping of the write (CI once saw the page's only ack refused so).
     */
    @Test
    void anAckSentTheMomentAMessageArrivesIsHonoured() throws Exception {
        for (int i = 0; i < 40; i++) { // each connection's only ack is a fresh chance for the race
            inbox.append("ws-fast-ack", "fast-" + i, "{\"n\":" + i + "}");
            try (PushClient client = PushClient.connectAcking(port, "ws-fast-ack")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> client.messages().size() == 1);
                await().atMost(Duration.ofSeconds(5)).until(() -> inbox.after("ws-fast-ack", null, 10).isEmpty()
                        || client.frames().stream().anyMatch(f -> f.has("error")));
                assertThat(client.frames()).as("connection %d", i).filteredOn(f -> f.has("error")).isEmpty();
            }
        }
    }

    /** One message larger than the send buffer is written (a client is dropped for being slow, not for a big message). */
    @Test
    void aMessageLargerThanTheSendBufferStillReachesAClientThatReads() throws Exception {
        try (BundleInstance small = new BundleInstance(Map.of("reminders.dispatch.enabled", "false",
                "reminders.push.send-buffer", "16KB"));
                PushClient client = PushClient.connect(small.httpPort(), "ws-big", null)) {
            PushConnections held = small.bean(PushConnections.class);
            await().until(() -> held.connectionsOf("ws-big") == 1);
            small.bean(InboxStore.class).append("ws-big", "big-1", "{\"body\":\"" + "x".repeat(100_000) + "\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> client.messages().size() == 1);
            assertThat(client.isClosed()).isFalse();
            assertThat(small.bean(MeterRegistry.class).counter("reminders.push.dropped.slow").count()).isZero();
        }
    }

    /** Clients that stopped reading hold no sender thread: a client that reads gets its message at once meanwhile. */
    @Test
    void stalledClientsDoNotDelayTheOthers() throws Exception {
        List<RawWebSocket> stalled = new ArrayList<>();
        try (BundleInstance small = new BundleInstance(Map.of("reminders.dispatch.enabled", "false",
                "reminders.push.send-buffer", "4MB", "reminders.push.send-timeout", "20s"))) {
            PushConnections held = small.bean(PushConnections.class);
            InboxStore smallInbox = small.bean(InboxStore.class);
            String big = "{\"body\":\"" + "x".repeat(200_000) + "\"}";
            for (int i = 0; i < 12; i++) { // more than the sender threads (4 per core)
                stalled.add(new RawWebSocket(small.httpPort(), "/push/ws?userId=ws-stalled-" + i, 4096));
            }
            await().until(() -> held.open() == 12);
            for (int round = 0; round < 10; round++) { // 2 MB each: their sockets are full, writes to them pending
                for (int i = 0; i < 12; i++) {
                    smallInbox.append("ws-stalled-" + i, "stall-" + round + "-" + i, big);
                }
            }
            try (PushClient reader = PushClient.connect(small.httpPort(), "ws-reader", null)) {
                await().until(() -> held.connectionsOf("ws-reader") == 1);
                long start = System.nanoTime();
                smallInbox.append("ws-reader", "reader-1", "{\"n\":1}");
                await().atMost(Duration.ofSeconds(15)).until(() -> reader.messages().size() == 1);
                assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000); // not behind 20 s write timeouts
            }
        } finally {
            for (RawWebSocket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void aSlowClientIsDroppedInsteadOfBufferedAndResumesByReplay() throws Exception {
        try (BundleInstance small = new BundleInstance(Map.of("reminders.dispatch.enabled", "false",
                "reminders.push.send-buffer", "64KB"));
                RawWebSocket stalled = new RawWebSocket(small.httpPort(), "/push/ws?userId=ws-slow", 4096)) {
            PushConnections held = small.bean(PushConnections.class);
            await().until(() -> held.connectionsOf("ws-slow") == 1);
            InboxStore smallInbox = small.bean(InboxStore.class);
            String body = "x".repeat(8_000);
            int appended = 0;
            while (held.connectionsOf("ws-slow") == 1 && appended < 5_000) {
                smallInbox.append("ws-slow", "slow-" + appended++, "{\"body\":\"" + body + "\"}");
            }
            assertThat(held.connectionsOf("ws-slow")).isZero();
            assertThat(small.bean(MeterRegistry.class).counter("reminders.push.dropped.slow").count()).isEqualTo(1);
            assertThat(appended).isLessThan(5_000);
            // nothing of it stays in the instance: the inbox keeps the messages for the replay
            assertThat(smallInbox.after("ws-slow", null, 10_000)).hasSizeGreaterThanOrEqualTo(Math.min(appended, 900));
        }
    }

    static String nextData(BufferedReader lines, String[] id) throws Exception {
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith("id:")) {
                id[0] = line.substring(3).trim();
            } else if (line.startsWith("data:")) {
                return line.substring(5).trim();
            }
        }
        return null;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serverSentEventsCarryTheInboxIdsAndResumeFromLastEventId() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/push/sse?userId=sse-user")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        String[] id = new String[1];
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            await().until(() -> connections.connectionsOf("sse-user") == 1);
            schedule("sse-user", "one", 200);
            String data = nextData(lines, id);
            assertThat(id[0]).matches("[0-9]+-[0-9]+");
            assertThat(mapper.readTree(data).get("reminders").get(0).get("subject").asText()).isEqualTo("one");
        }
        schedule("sse-user", "two", 200);
        awaitDelivered("sse-user", "two");
        // an EventSource reconnects to its first URL (here with an older resume id) and sends Last-Event-ID: the later wins
        HttpResponse<InputStream> again = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/push/sse?userId=sse-user&resume=1-0")).header("Last-Event-ID", id[0]).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(again.body(), StandardCharsets.UTF_8))) {
            String[] resumedId = new String[1];
            String data = nextData(lines, resumedId);
            assertThat(mapper.readTree(data).get("reminders").get(0).get("subject").asText()).isEqualTo("two");
            assertThat(resumedId[0]).isNotEqualTo(id[0]);
        }
    }
}
