package dev.reminderpush.drills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reminderpush.testing.BundleProcess;
import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.PushClient;
import dev.reminderpush.testing.TestInfrastructure;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the bundle process holding 500 WebSocket clients (real jar, redis-server, KRaft broker): each client
 * does what the documented client contract says (reconnect to another instance with the id of the last message it
 * saw) and gets every message once: the one it had before the kill not again, the one delivered while it was
 * away by replay.
 */
class PushKillDrillIT {

    static final int CLIENTS = 500;

    static EmbeddedRedis redis;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void infrastructure() {
        redis = new EmbeddedRedis(TestInfrastructure.freePort()).start();
        kafka = new EmbeddedKafka(0).start();
    }

    @AfterAll
    static void stopInfrastructure() {
        kafka.stop();
        redis.stop();
    }

    BundleProcess bundle(String name, String instanceId) throws Exception {
        BundleProcess bundle = new BundleProcess("drills", name, TestInfrastructure.freePort(),
                DrillEnvironment.bundleSettings(instanceId, redis.port(), kafka.bootstrapServers()));
        bundle.awaitReady(Duration.ofSeconds(90));
        return bundle;
    }

    static void schedule(int port, String subject, long dueMillis) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < CLIENTS; i++) {
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"k").append(i).append("\",\"subject\":\"").append(subject)
                    .append("\",\"dueAt\":").append(dueMillis).append(",\"title\":\"t\",\"body\":\"b\",\"channel\":\"websocket\"}");
        }
        var response = new Http(port).post("/api/reminders/batch", body.append(']').toString());
        assertThat(response.body()).contains("\"rejected\":0");
    }

    /** The subjects a user's connections received, in order, over all its connections. */
    static List<String> subjects(List<PushClient> connections) {
        List<String> subjects = new ArrayList<>();
        for (PushClient connection : connections) {
            for (JsonNode frame : connection.messages()) {
                frame.get("message").get("reminders").forEach(r -> subjects.add(r.get("subject").asText()));
            }
        }
        return subjects;
    }

    static String lastId(PushClient connection) {
        List<JsonNode> messages = connection.messages();
        return messages.isEmpty() ? null : messages.get(messages.size() - 1).get("id").asText();
    }

    @Test
    void clientsOfAKilledInstanceResumeOnAnotherOneAndMissNothing() throws Exception {
        DrillEnvironment.flush(redis.port());
        BundleProcess victim = bundle("push-kill-victim", "push-victim");
        try (BundleProcess survivor = bundle("push-kill-survivor", "push-survivor")) {
            HttpClient http = HttpClient.newHttpClient();
            Map<Integer, List<PushClient>> connections = new HashMap<>();
            for (int i = 0; i < CLIENTS; i++) {
                connections.put(i, new ArrayList<>(List.of(PushClient.connect(http, victim.port(), "k" + i))));
            }
            Thread.sleep(1_000); // every connection registered (presence) before the first message is due
            schedule(survivor.port(), "before", System.currentTimeMillis() + 1_000);
            long deadline = System.currentTimeMillis() + 30_000;
            while (connections.values().stream().anyMatch(c -> subjects(c).size() < 1) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(connections.values()).allSatisfy(c -> assertThat(subjects(c)).containsExactly("before"));

            victim.kill();
            long killedAt = System.currentTimeMillis();
            schedule(survivor.port(), "while-away", killedAt + 500);
            // the client contract: after the close, reconnect (here: to the survivor) with the last id seen
            for (Map.Entry<Integer, List<PushClient>> user : connections.entrySet()) {
                PushClient old = user.getValue().get(0);
                old.closeCode(Duration.ofSeconds(30));
                user.getValue().add(PushClient.connect(http, survivor.port(), "k" + user.getKey(), lastId(old)));
            }
            long reconnectedAt = System.currentTimeMillis();
            deadline = System.currentTimeMillis() + 60_000;
            while (connections.values().stream().anyMatch(c -> subjects(c).size() < 2) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            long allAt = System.currentTimeMillis();
            Thread.sleep(2_000); // nothing more may come
            int repeated = 0;
            for (List<PushClient> user : connections.values()) {
                List<String> subjects = subjects(user);
                assertThat(subjects).containsExactly("before", "while-away");
                repeated += subjects.size() - 2;
            }
            DrillFigures.record("push: kill -9 of the instance holding the clients", String.format(
                    "%d WebSocket clients on the killed instance; all reconnected to the other instance with their resume id "
                            + "%d ms after the kill; every client had the message delivered while it was away %d ms after the "
                            + "kill; lost 0, repeated %d (the message seen before the kill never again)",
                    CLIENTS, reconnectedAt - killedAt, allAt - killedAt, repeated));
            connections.values().forEach(user -> user.forEach(PushClient::close));
        } finally {
            victim.close();
        }
    }
}
