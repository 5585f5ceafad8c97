package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.delivery.DeliveryGateway;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TopicReader;
import dev.reminderpush.testing.TopicReader.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.TryDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dispatch path is the routes': poll or wake-up -> dispatch-pass -> drain-shard (claim-batch, merge-per-user)
 * -> hand-off -> deliver-messages -> deliver-kafka-batch, one connected flow, one exchange per claim batch (not
 * per message), and a pipeline with a route stopped claims nothing rather than stranding what it claimed.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DispatchPipelineTest extends IntegrationTest {

    @DynamicPropertySource
    static void dispatching(DynamicPropertyRegistry registry) {
        registry.add("reminders.dispatch.enabled", () -> "true");
        registry.add("reminders.dispatch.poll-interval", () -> "500ms");
        registry.add("reminders.dispatch.merge-window", () -> "200ms");
    }

    @Autowired
    CamelContext camel;

    @Autowired
    ReminderStore store;

    @Autowired
    DeliveryGateway gateway;

    @Test
    void theRoutesConnectPollToKafkaAndEveryStepHasAnId() {
        assertThat(sendsTo("poll-shards")).contains("direct:dispatch-pass");
        assertThat(sendsTo("wake-up")).contains("direct:dispatch-pass");
        assertThat(sendsTo("dispatch-pass")).contains("direct:drain-shard", "direct:hand-off");
        assertThat(sendsTo("drain-shard")).containsExactly("direct:hand-off");
        assertThat(sendsTo("hand-off")).as("hand-off runs deliver-messages itself (step to-delivery-threads)").isEmpty();
        assertThat(sendsTo("deliver-messages")).containsExactly("direct:deliver-batch");
        assertThat(route("deliver-kafka-batch").getInput().getEndpointUri()).isEqualTo("direct:deliver-batch");
        assertThat(stepIds()).as("the batch sender and the outcome step").contains("to-message-center-kafka-batch",
                "acknowledge-or-send-alone");
        assertThat(camel.getEndpoints()).as("the batch sender's client comes from a kafka endpoint")
                .anySatisfy(endpoint -> assertThat(endpoint.getEndpointUri()).startsWith("kafka://message-center-push?")
                        .contains("maxBlockMs=0", "deliveryTimeoutMs="));
        for (String id : List.of("drain-shard", "dispatch-pass", "hand-off", "deliver-messages", "deliver-http")) {
            assertThat(route(id).getInput().getEndpointUri()).isEqualTo("direct:" + id);
        }
        for (String step : List.of("claim-batch", "merge-per-user", "hand-off-claimed", "settle-shard", "end-pass",
                "count-in-flight", "to-delivery-threads", "split-to-fit", "settle-batch")) {
            assertThat(stepIds()).as("step ids the routes' tests and operators rely on").contains(step);
        }
    }

    @Test
    void aClaimBatchIsOneExchangeThroughHandOffNotOnePerMessage() throws Exception {
        AtomicInteger claims = new AtomicInteger();
        AtomicInteger handOffs = new AtomicInteger();
        AdviceWith.adviceWith(camel, "drain-shard", route -> route.weaveById("claim-batch").after().process(e -> claims.incrementAndGet()));
        AdviceWith.adviceWith(camel, "deliver-messages", route -> route.weaveById("split-to-fit").before().process(e -> handOffs.incrementAndGet()));
        int users = 3_000;
        long due = System.currentTimeMillis() + 1_000;
        List<Reminder> reminders = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            reminders.add(new Reminder(new ReminderId("pipeline-" + i, "coupon"), Instant.ofEpochMilli(due), "Coupon",
                    "Your coupon can be claimed in one minute", null, null));
        }
        try (TopicReader reader = TopicReader.messageCenter()) {
            store.schedule(reminders);
            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= users, Duration.ofSeconds(30));

            assertThat(messages.stream().flatMap(m -> m.reminderIds().stream()).toList()).hasSize(users).doesNotHaveDuplicates();
            assertThat(messages).allSatisfy(m -> assertThat(m.timestamp()).as("never early").isGreaterThanOrEqualTo(due));
        }
        System.out.println("[pipeline] " + users + " messages: " + claims.get() + " claims, " + handOffs.get() + " hand-offs");
        assertThat(claims.get()).as("claims, each up to a batch").isPositive().isLessThan(users / 10);
        assertThat(handOffs.get()).as("exchanges through deliver-messages: one per claim or settle, not per message")
                .isPositive().isLessThan(users / 10);
    }

    @Test
    void whileAPipelineRouteIsStoppedNothingIsClaimedAndAfterItsRestartEverythingIsDeliveredOnce() throws Exception {
        camel.getRouteController().stopRoute("hand-off");
        try (TopicReader reader = TopicReader.messageCenter()) {
            long due = System.currentTimeMillis();
            List<Reminder> reminders = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                reminders.add(new Reminder(new ReminderId("stopped-" + i, "coupon"), Instant.ofEpochMilli(due), "Coupon",
                        "Your coupon can be claimed in one minute", null, null));
            }
            store.schedule(reminders);
            Thread.sleep(2_000); // four poll ticks and the wake-up of the nudge
            assertThat(redis.keys("reminders:{*}:inflight").stream().mapToLong(k -> redis.opsForZSet().size(k)).sum())
                    .as("claimed while hand-off was stopped").isZero();

            camel.getRouteController().startRoute("hand-off");
            List<Received> messages = reader.readUntil(m -> reader.remindersReceived() >= 50, Duration.ofSeconds(20));
            assertThat(messages.stream().flatMap(m -> m.reminderIds().stream()).toList()).hasSize(50).doesNotHaveDuplicates();
        } finally {
            if (!camel.getRouteController().getRouteStatus("hand-off").isStarted()) {
                camel.getRouteController().startRoute("hand-off");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> reminders("stopped-").isEmpty());
    }

    /**
     * The hand-off fails for the claim, for the drain's settle and for the end of the pass: what it never took is
     * given up to its lease (not held and renewed forever), so it comes back and is delivered, once.
     */
    @Test
    void messagesTheHandOffNeverTookComeBackAfterTheirLease() throws Exception {
        failThenDeliverEverythingOnce("hand-off", "count-in-flight", 3, "refused");
    }

    /** Route deliver-messages fails before it takes its messages: they are given up to their leases, then delivered once. */
    @Test
    void messagesDeliverMessagesNeverTookComeBackAfterTheirLease() throws Exception {
        failThenDeliverEverythingOnce("deliver-messages", "split-to-fit", 2, "untaken");
    }

    /** Step {@code stepId} of {@code routeId} fails {@code times} times; 20 reminders still arrive once each. */
    private void failThenDeliverEverythingOnce(String routeId, String stepId, int times, String users) throws Exception {
        AtomicInteger failures = new AtomicInteger(times);
        AdviceWith.adviceWith(camel, routeId, route -> route.weaveById(stepId).before().process(e -> {
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException(routeId + " failed (test)");
            }
        }));
        try (TopicReader reader = TopicReader.messageCenter()) {
            long due = System.currentTimeMillis() + 500;
            List<Reminder> reminders = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                reminders.add(new Reminder(new ReminderId(users + "-" + i, "coupon"), Instant.ofEpochMilli(due), "Coupon",
                        "Your coupon can be claimed in one minute", null, null));
            }
            store.schedule(reminders);
            reader.readUntil(m -> reader.remindersReceived() >= 20, Duration.ofSeconds(30));
            List<Received> messages = reader.readFor(Duration.ofSeconds(1)); // everything received, and nothing after

            assertThat(failures.get()).as(routeId + " failures").isNegative();
            assertThat(messages.stream().flatMap(m -> m.reminderIds().stream()).toList()).hasSize(20).doesNotHaveDuplicates();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> reminders(users + "-").isEmpty() && gateway.inFlight() == 0);
    }

    private Set<String> reminders(String userPrefix) {
        return redis.keys("reminders:{*}:payload").stream().flatMap(k -> redis.<String, String>opsForHash().keys(k).stream())
                .filter(id -> id.startsWith(userPrefix)).collect(Collectors.toSet());
    }

    private RouteDefinition route(String id) {
        RouteDefinition route = ((ModelCamelContext) camel).getRouteDefinition(id);
        assertThat(route).as("route " + id).isNotNull();
        return route;
    }

    /** The distinct endpoint URIs a route sends to. */
    private List<String> sendsTo(String routeId) {
        Set<String> uris = new LinkedHashSet<>();
        for (ProcessorDefinition<?> step : steps(route(routeId).getOutputs())) {
            if (step instanceof EndpointRequiredDefinition send && send.getEndpointUri() != null) {
                uris.add(send.getEndpointUri());
            } else if (step instanceof ToDynamicDefinition send) { // wireTap
                uris.add(send.getUri());
            }
        }
        return List.copyOf(uris);
    }

    private Set<String> stepIds() {
        Set<String> ids = new TreeSet<>();
        for (RouteDefinition route : ((ModelCamelContext) camel).getRouteDefinitions()) {
            steps(route.getOutputs()).stream().filter(ProcessorDefinition::hasCustomIdAssigned).forEach(step -> ids.add(step.getId()));
        }
        return ids;
    }

    /** Every step, nested ones included (a doTry keeps its catch and finally clauses apart from its outputs). */
    private static Set<ProcessorDefinition<?>> steps(List<ProcessorDefinition<?>> outputs) {
        Set<ProcessorDefinition<?>> steps = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<ProcessorDefinition<?>> todo = new ArrayDeque<>(outputs);
        while (!todo.isEmpty()) {
            ProcessorDefinition<?> step = todo.pop();
            if (steps.add(step)) {
                todo.addAll(step.getOutputs());
                if (step instanceof TryDefinition attempt) {
                    todo.addAll(attempt.getCatchClauses());
                    if (attempt.getFinallyClause() != null) {
                        todo.add(attempt.getFinallyClause());
                    }
                }
            }
        }
        return steps;
    }
}
