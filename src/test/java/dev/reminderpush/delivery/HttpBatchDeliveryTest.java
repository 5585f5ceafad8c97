package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.MessageCenterServer.Answer;
import dev.reminderpush.testing.MessageCenterServer.BatchRequest;
import dev.reminderpush.testing.MessageCenterServer.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With {@code reminders.delivery.http.batch-url} set, the HTTP channel's messages of one hand-off go as one call
 * of up to {@code batch-max-messages}. What the center lists as accepted is acknowledged and never sent again;
 * everything else (not listed, an error answer, a body outside the contract) goes alone to the single-message
 * URL with its retries, under the same messageId.
 */
class HttpBatchDeliveryTest extends DispatchTest {

    static final int MAX_PER_CALL = 100;

    @DynamicPropertySource
    static void batching(DynamicPropertyRegistry registry) {
        registry.add("reminders.delivery.http.batch-url", HTTP_CENTER::batchUrl);
        registry.add("reminders.delivery.http.batch-max-messages", () -> String.valueOf(MAX_PER_CALL));
    }

    @Autowired
    ReminderStore store;

    @BeforeEach
    @AfterEach
    void reset() {
        HTTP_CENTER.clear();
    }

    @Test
    void messagesGoInBatchCallsAndTheAcceptedOnesAreDoneOnce() {
        List<Reminder> reminders = reminders("batch-all", 300);
        store.schedule(reminders);

        await().atMost(Duration.ofSeconds(20)).until(() -> gone(reminders));
        List<BatchRequest> calls = HTTP_CENTER.batchRequests();
        List<String> sent = calls.stream().flatMap(c -> c.messageIds().stream()).toList();
        System.out.println("[http-batch] 300 messages in " + calls.size() + " batch calls");
        assertThat(sent).hasSize(300).doesNotHaveDuplicates();
        assertThat(calls).allSatisfy(c -> assertThat(c.messageIds()).hasSizeLessThanOrEqualTo(MAX_PER_CALL));
        assertThat(calls.size()).as("calls for 300 messages").isLessThan(30);
        assertThat(calls.get(0).json().path("messages").get(0).path("reminders").isArray())
                .as("each message is the single-delivery JSON").isTrue();
        assertThat(HTTP_CENTER.requests()).as("sent alone").isEmpty();
        assertThat(redis.keys("reminders:{*}:dead")).isEmpty();
    }

    @Test
    void whatTheCenterDoesNotAcceptGoesAloneUnderTheSameMessageId() {
        HTTP_CENTER.respondToBatchesWith(call -> Answer.accepting(
                call.messageIds().stream().filter(id -> call.messageIds().indexOf(id) % 2 == 0).toList()));
        List<Reminder> reminders = reminders("batch-half", 100);
        store.schedule(reminders);

        await().atMost(Duration.ofSeconds(20)).until(() -> gone(reminders));
        Set<String> accepted = new HashSet<>();
        Set<String> offered = new HashSet<>();
        for (BatchRequest call : HTTP_CENTER.batchRequests()) {
            List<String> ids = call.messageIds();
            offered.addAll(ids);
            for (int i = 0; i < ids.size(); i += 2) {
                accepted.add(ids.get(i));
            }
        }
        Set<String> alone = HTTP_CENTER.requests().stream().map(Request::idempotencyKey).collect(Collectors.toSet());
        assertThat(HTTP_CENTER.requests()).as("each not accepted message once alone").hasSize(alone.size());
        assertThat(alone).as("never sent again once accepted").doesNotContainAnyElementsOf(accepted);
        Set<String> all = new HashSet<>(accepted);
        all.addAll(alone);
        assertThat(all).as("accepted in a batch or sent alone, under the batch's messageId").isEqualTo(offered).hasSize(100);
        assertThat(redis.keys("reminders:{*}:dead")).isEmpty();
    }

    @Test
    void aFailedOrOffContractBatchCallSendsEveryMessageAlone() {
        for (Answer answer : List.of(new Answer(503, null), new Answer(200, "{\"ok\":true}"))) {
            HTTP_CENTER.clear();
            HTTP_CENTER.respondToBatchesWith(call -> answer);
            List<Reminder> reminders = reminders("batch-fail-" + answer.status() + "-" + (answer.body() == null), 40);
            store.schedule(reminders);

            await().atMost(Duration.ofSeconds(20)).until(() -> gone(reminders));
            Set<String> offered = HTTP_CENTER.batchRequests().stream().flatMap(c -> c.messageIds().stream()).collect(Collectors.toSet());
            assertThat(offered).as(answer + ": offered in batches").hasSize(40);
            assertThat(HTTP_CENTER.requests().stream().map(Request::idempotencyKey).toList())
                    .as(answer + ": each sent alone once").hasSize(40).containsExactlyInAnyOrderElementsOf(offered);
        }
        assertThat(redis.keys("reminders:{*}:dead")).isEmpty();
    }

    private static List<Reminder> reminders(String prefix, int users) {
        long due = System.currentTimeMillis() + 300;
        List<Reminder> reminders = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            reminders.add(new Reminder(new ReminderId(prefix + "-" + i, "coupon"), Instant.ofEpochMilli(due), "Coupon",
                    "Your coupon can be claimed in one minute", "http", null));
        }
        return reminders;
    }

    private boolean gone(List<Reminder> reminders) {
        return reminders.stream().allMatch(r -> store.find(r.id()).isEmpty());
    }
}
