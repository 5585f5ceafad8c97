package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.StoredReminder;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.MessageCenterServer.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

class HttpDeliveryTest extends DispatchTest {

    @Autowired
    ReminderStore store;

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

    Reminder httpReminder(String user, String subject, long due, String title) {
        return new Reminder(new ReminderId(user, subject), Instant.ofEpochMilli(due), title, "b", "http", null);
    }

    List<Request> requestsFor(String user) {
        return HTTP_CENTER.requests().stream().filter(r -> r.json().get("userId").asText().equals(user)).toList();
    }

    @Test
    void serverErrorIsRetriedThenDeliveredOnce() {
        AtomicInteger calls = new AtomicInteger();
        HTTP_CENTER.respondWith(request -> calls.incrementAndGet() == 1 ? 500 : 200);
        store.schedule(httpReminder("h500", "a", System.currentTimeMillis() + 300, "t"));

        await().atMost(Duration.ofSeconds(20)).until(() -> requestsFor("h500").size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.find(new ReminderId("h500", "a")).isEmpty());
        List<Request> requests = requestsFor("h500");
        assertThat(requests.get(0).idempotencyKey()).isNotBlank().isEqualTo(requests.get(1).idempotencyKey());
        assertThat(requests.get(0).idempotencyKey()).isEqualTo(requests.get(0).json().get("messageId").asText());
        assertThat(redis.keys("reminders:{*}:dead")).isEmpty();
    }

    @Test
    void rejectedMessageIsDeadLetteredAtOnceAndRedrivenWhenTheCenterIsFixed() throws Exception {
        HTTP_CENTER.respondWith(request -> 400);
        store.schedule(httpReminder("h400", "a", System.currentTimeMillis() + 300, "t"));

        await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("h400", "a"))
                .map(r -> r.state() == StoredReminder.State.DEAD).orElse(false));
        Thread.sleep(1_000); // no retry may follow a rejection
        assertThat(requestsFor("h400")).hasSize(1);

        JsonNode page = mapper.readTree(http.get("/api/dead-letters").body());
        assertThat(page.get("total").asLong()).isEqualTo(1);
        JsonNode dead = page.get("items").get(0);
        assertThat(dead.get("id").asText()).isEqualTo("h400:a");
        assertThat(dead.get("reason").asText()).isEqualTo("rejected");
        assertThat(dead.get("attempts").asInt()).isEqualTo(1);
        assertThat(dead.get("error").asText()).contains("400");
        assertThat(dead.get("channel").asText()).isEqualTo("http");

        HTTP_CENTER.respondWith(request -> 200);
        var redrive = http.post("/api/dead-letters/redrive", "{\"ids\":[\"h400:a\"]}");
        assertThat(redrive.statusCode()).isEqualTo(200);
        assertThat(mapper.readTree(redrive.body()).get("redriven").asInt()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(20)).until(() -> requestsFor("h400").size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.find(new ReminderId("h400", "a")).isEmpty());
        assertThat(mapper.readTree(http.get("/api/dead-letters").body()).get("total").asLong()).isZero();
    }

    @Test
    void retriesRunOutIntoADeadLetter() throws Exception {
        HTTP_CENTER.respondWith(request -> 503);
        store.schedule(httpReminder("h503", "a", System.currentTimeMillis() + 300, "t"));

        await().atMost(Duration.ofSeconds(30)).until(() -> store.find(new ReminderId("h503", "a"))
                .map(r -> r.state() == StoredReminder.State.DEAD).orElse(false));
        assertThat(requestsFor("h503")).hasSize(4); // 1 + reminders.delivery.retry.max-retries (3 in DispatchTest)
        JsonNode dead = mapper.readTree(http.get("/api/dead-letters").body()).get("items").get(0);
        assertThat(dead.get("reason").asText()).isEqualTo("retries_exhausted");
        assertThat(dead.get("attempts").asInt()).isEqualTo(4);

        assertThat(http.delete("/api/dead-letters/h503:a").statusCode()).isEqualTo(204);
        assertThat(http.delete("/api/dead-letters/h503:a").statusCode()).isEqualTo(404);
    }

    /** The acknowledgement of the old revision must not delete the newer subscription made meanwhile. */
    @Test
    void rescheduledWhileInFlightSurvivesTheAckAndIsDeliveredAtItsNewTime() throws Exception {
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HTTP_CENTER.respondWith(request -> {
            if (request.json().get("reminders").get(0).get("title").asText().equals("first")) {
                firstArrived.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 200;
        });
        store.schedule(httpReminder("hre", "a", System.currentTimeMillis() + 200, "first"));
        assertThat(firstArrived.await(20, TimeUnit.SECONDS)).isTrue();

        long newDue = System.currentTimeMillis() + 2_000;
        store.schedule(httpReminder("hre", "a", newDue, "second"));
        release.countDown();

        await().atMost(Duration.ofSeconds(20)).until(() -> requestsFor("hre").size() == 2);
        Request second = requestsFor("hre").get(1);
        JsonNode reminder = second.json().get("reminders").get(0);
        assertThat(reminder.get("title").asText()).isEqualTo("second");
        assertThat(second.receivedAt()).isGreaterThanOrEqualTo(newDue);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.find(new ReminderId("hre", "a")).isEmpty());
    }
}
