package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.dispatch.PipelineRoutes;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.StoredReminder;
import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.MessageCenterServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Channels are routes: the SMS example of README "Channels" (docs/channels/sms.camel.yaml, no Java) is loaded
 * beside the bundle's routes and gets its reminders from a real HTTP server standing in for an SMS gateway.
 */
class ChannelsTest extends DispatchTest {

    static final MessageCenterServer SMS_GATEWAY = new MessageCenterServer();

    @DynamicPropertySource
    static void smsChannel(DynamicPropertyRegistry registry) {
        registry.add("reminders.delivery.channels", () -> "kafka,http,sms");
        registry.add("camel.main.routes-include-pattern", () -> "file:routes/*.camel.yaml,file:docs/channels/sms.camel.yaml");
        registry.add("channels.sms.url", SMS_GATEWAY::url);
    }

    @Autowired
    ReminderStore store;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ObjectMapper mapper;

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void setUp() {
        SMS_GATEWAY.clear();
        http = new Http(port);
    }

    @AfterAll
    static void closeGateway() {
        SMS_GATEWAY.close();
    }

    String due(long millisFromNow) {
        return Instant.now().plusMillis(millisFromNow).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    @Test
    void aChannelAddedAsARouteFileGetsItsRemindersOnceAndAcknowledgesThem() {
        double before = meters.counter("reminders.delivered", "channel", "sms").count();
        for (int user = 0; user < 20; user++) {
            var reply = http.put("/api/reminders/sms-" + user + "/code",
                    "{\"dueAt\":\"" + due(300) + "\",\"title\":\"Your code\",\"body\":\"1234\",\"channel\":\"sms\"}");
            assertThat(reply.statusCode()).isEqualTo(201);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> SMS_GATEWAY.requests().size() >= 20);
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.counter("reminders.delivered", "channel", "sms").count() - before == 20);
        List<MessageCenterServer.Request> requests = SMS_GATEWAY.requests();
        assertThat(requests).hasSize(20);
        assertThat(requests).extracting(r -> r.json().get("userId").asText()).doesNotHaveDuplicates();
        for (MessageCenterServer.Request request : requests) {
            assertThat(request.idempotencyKey()).isEqualTo(request.json().get("messageId").asText());
            assertThat(request.json().get("reminders").get(0).get("title").asText()).isEqualTo("Your code");
            assertThat(store.find(new ReminderId(request.json().get("userId").asText(), "code"))).isEmpty();
        }
        assertThat(HTTP_CENTER.requests()).noneMatch(r -> r.json().get("userId").asText().startsWith("sms-"));
    }

    @Test
    void aRefusalOfTheNewChannelIsADeadLetterNamingIt() throws Exception {
        SMS_GATEWAY.respondWith(request -> 400);
        http.put("/api/reminders/sms-refused/code",
                "{\"dueAt\":\"" + due(300) + "\",\"title\":\"Your code\",\"body\":\"1234\",\"channel\":\"sms\"}");

        await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("sms-refused", "code"))
                .map(r -> r.state() == StoredReminder.State.DEAD).orElse(false));
        JsonNode dead = mapper.readTree(http.get("/api/dead-letters").body()).get("items").get(0);
        assertThat(dead.get("channel").asText()).isEqualTo("sms");
        assertThat(dead.get("reason").asText()).isEqualTo("rejected");
    }

    @Test
    void aChannelNotInTheListIsA400NamingTheAllowedOnesAndStoresNothing() throws Exception {
        var reply = http.put("/api/reminders/u1/s1",
                "{\"dueAt\":\"" + due(60_000) + "\",\"title\":\"t\",\"body\":\"b\",\"channel\":\"pigeon\"}");

        assertThat(reply.statusCode()).isEqualTo(400);
        JsonNode error = mapper.readTree(reply.body());
        assertThat(error.get("field").asText()).isEqualTo("channel");
        assertThat(error.get("message").asText()).contains("[kafka, http, sms]").contains("pigeon");
        assertThat(store.find(new ReminderId("u1", "s1"))).isEmpty();
    }

    @Test
    void aStoredReminderWhoseChannelLeftTheListIsDeadLetteredWithoutAnAttempt() throws Exception {
        double before = meters.counter("reminders.dead.lettered", "reason", "unknown_channel").count();
        // stored while "fax" was a channel (the store takes what the parser validated then)
        store.schedule(new Reminder(new ReminderId("faxed", "s"), Instant.now().plusMillis(300), "t", "b", "fax", null));

        await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("faxed", "s"))
                .map(r -> r.state() == StoredReminder.State.DEAD).orElse(false));
        JsonNode dead = mapper.readTree(http.get("/api/dead-letters").body()).get("items").get(0);
        assertThat(dead.get("reason").asText()).isEqualTo("unknown_channel");
        assertThat(dead.get("channel").asText()).isEqualTo("fax");
        assertThat(dead.get("attempts").asInt()).isZero();
        assertThat(dead.get("error").asText()).contains("\"fax\"").contains("reminders.delivery.channels");
        assertThat(meters.counter("reminders.dead.lettered", "reason", "unknown_channel").count() - before).isEqualTo(1);
    }

    @Test
    void everyListedChannelHasItsSeriesAtZeroBeforeItsFirstDelivery() {
        for (String channel : List.of("kafka", "http", "sms")) {
            assertThat(meters.find("reminders.delivered").tag("channel", channel).counter()).as(channel).isNotNull();
            assertThat(meters.find("reminders.messages.sent").tag("channel", channel).counter()).as(channel).isNotNull();
        }
        assertThat(meters.find("reminders.delivered").tag("channel", "fax").counter()).isNull();
    }

    @Test
    void aListedChannelWithoutARouteStopsClaimingInsteadOfStrandingItsReminders() {
        try (BundleInstance noFaxRoute = new BundleInstance(BundleInstance.dispatching("no-fax-route",
                "reminders.delivery.channels", "kafka,http,fax"))) {
            assertThat(noFaxRoute.bean(PipelineRoutes.class).missing()).isTrue();
        }
    }

    @Test
    void aChannelNamedLikeADeliveryRouteOrADefaultChannelOffTheListIsRefusedAtStartup() {
        assertThatThrownBy(() -> new BundleInstance(BundleInstance.dispatching("reserved", "reminders.delivery.channels", "kafka,batch")))
                .rootCause().hasMessageContaining("\"batch\" cannot be a channel");
        assertThatThrownBy(() -> new BundleInstance(BundleInstance.dispatching("off-list",
                "reminders.delivery.channels", "http", "reminders.delivery.default-channel", "kafka")))
                .hasStackTraceContaining("default-channel must be one of reminders.delivery.channels");
        assertThatThrownBy(() -> new BundleInstance(BundleInstance.dispatching("upper", "reminders.delivery.channels", "kafka,SMS")))
                .hasStackTraceContaining("channels");
    }
}
