package dev.reminderpush.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.ScheduleOutcome;
import dev.reminderpush.store.StoredReminder;
import dev.reminderpush.store.Topics;
import java.time.Instant;
import java.util.Locale;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/** The REST operations behind routes/broadcasts-api.camel.yaml: scheduled broadcasts to a topic's subscribers. */
@Component("broadcastApi")
public class BroadcastApi {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scheduled(String topic, String subject, int shard, Instant dueAt, long revision, boolean created) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(String topic, String subject, int shard, String state, Instant dueAt, long revision, Instant scheduledAt,
            String title, String body, ObjectNode data, String priority) {}

    private final ReminderRequestParser parser;
    private final ReminderStore store;
    private final ApiReplies replies;

    public BroadcastApi(ReminderRequestParser parser, ReminderStore store, ApiReplies replies) {
        this.parser = parser;
        this.store = store;
        this.replies = replies;
    }

    public void schedule(@Header("topic") String topic, @Header("subject") String subject, @Body byte[] body, Message message) {
        ScheduleOutcome outcome = store.schedule(parser.parseBroadcast(topic, subject, body));
        replies.json(message, outcome.created() ? 201 : 200, new Scheduled(topic, subject, outcome.shard(), outcome.dueAt(),
                outcome.revision(), outcome.created()));
    }

    public void get(@Header("topic") String topic, @Header("subject") String subject, Message message) {
        ReminderId id = parser.broadcastId(topic, subject);
        store.find(id).ifPresentOrElse(stored -> {
            Reminder r = stored.reminder();
            replies.json(message, 200, new View(topic, subject, stored.shard(), stored.state().name().toLowerCase(Locale.ROOT),
                    r.dueAt(), stored.revision(), stored.scheduledAt(), r.title(), r.body(), r.data(),
                    r.priority().label()));
        }, () -> replies.json(message, 404, notFound(topic, subject)));
    }

    public void cancel(@Header("topic") String topic, @Header("subject") String subject, Message message) {
        if (store.cancel(parser.broadcastId(topic, subject))) {
            replies.json(message, 204, null);
        } else {
            replies.json(message, 404, notFound(topic, subject));
        }
    }

    private static ApiReplies.ApiError notFound(String topic, String subject) {
        return new ApiReplies.ApiError("not_found", null, "no broadcast " + subject + " on topic " + topic
                + " (scheduled: " + Topics.CHANNEL + " not sent yet)");
    }
}
