package dev.reminderpush.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.ScheduleOutcome;
import dev.reminderpush.store.StoredReminder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/** The REST operations behind routes/reminders-api.camel.yaml. */
@Component("reminderApi")
public class ReminderApi {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scheduled(String id, String userId, String subject, int shard, Instant dueAt, long revision, boolean created) {
        static Scheduled of(ScheduleOutcome outcome) {
            ReminderId id = outcome.id();
            return new Scheduled(id.toString(), id.userId(), id.subject(), outcome.shard(), outcome.dueAt(),
                    outcome.revision(), outcome.created());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(String id, String userId, String subject, int shard, String state, Instant dueAt, long revision,
            Instant scheduledAt, String title, String body, String channel, ObjectNode data, String priority) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BatchResult(int index, int status, String id, Integer shard, Instant dueAt, Long revision,
            String error, String field, String message) {}

    public record BatchAnswer(int created, int replaced, int rejected, List<BatchResult> results) {}

    private final ReminderRequestParser parser;
    private final ReminderStore store;
    private final ApiReplies replies;

    public ReminderApi(ReminderRequestParser parser, ReminderStore store, ApiReplies replies) {
        this.parser = parser;
        this.store = store;
        this.replies = replies;
    }

    public void schedule(@Header("userId") String userId, @Header("subject") String subject, @Body byte[] body, Message message) {
        ScheduleOutcome outcome = store.schedule(parser.parseSchedule(userId, subject, body));
        replies.json(message, outcome.created() ? 201 : 200, Scheduled.of(outcome));
    }

    public void get(@Header("userId") String userId, @Header("subject") String subject, Message message) {
        ReminderId id = parser.id(userId, subject);
        store.find(id).ifPresentOrElse(
                stored -> replies.json(message, 200, view(stored)),
                () -> replies.json(message, 404, notFound(id)));
    }

    /**
     * A user's reminders, at most {@code limit} (default 100, at most 1000), soonest first among those returned:
     * what the console lists. When there are more ({@code truncated}), which ones are returned is not defined.
     */
    public record UserReminders(String userId, int shard, List<View> items, boolean truncated) {}

    public static final int MAX_LIST = 1000;

    public void list(@Header("userId") String userId, @Header("limit") String limit, Message message) {
        int size = 100;
        if (limit != null && !limit.isBlank()) {
            try {
                size = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > MAX_LIST) {
                throw InvalidReminderException.field("limit", "limit must be a number from 1 to " + MAX_LIST);
            }
        }
        String user = parser.userId(userId);
        List<StoredReminder> found = store.ofUser(user, size + 1);
        List<View> items = found.stream().limit(size).map(ReminderApi::view)
                .sorted(Comparator.comparing(View::dueAt).thenComparing(View::subject)).toList();
        replies.json(message, 200, new UserReminders(user, store.shardOf(user), items, found.size() > size));
    }

    public void cancel(@Header("userId") String userId, @Header("subject") String subject, Message message) {
        ReminderId id = parser.id(userId, subject);
        if (store.cancel(id)) {
            replies.json(message, 204, null);
        } else {
            replies.json(message, 404, notFound(id));
        }
    }

    public void batch(@Body byte[] body, Message message) {
        List<BatchItem> items = parser.parseBatch(body);
        List<Reminder> accepted = items.stream().filter(BatchItem::isAccepted).map(BatchItem::reminder).toList();
        List<ScheduleOutcome> outcomes = store.schedule(accepted);
        List<BatchResult> results = new ArrayList<>(items.size());
        int created = 0;
        int next = 0;
        for (BatchItem item : items) {
            if (item.isAccepted()) {
                ScheduleOutcome outcome = outcomes.get(next++);
                created += outcome.created() ? 1 : 0;
                results.add(new BatchResult(item.index(), outcome.created() ? 201 : 200, outcome.id().toString(),
                        outcome.shard(), outcome.dueAt(), outcome.revision(), null, null, null));
            } else {
                InvalidReminderException e = item.rejection();
                results.add(new BatchResult(item.index(), 400, null, null, null, null, e.error(), e.field(), e.getMessage()));
            }
        }
        replies.json(message, 200, new BatchAnswer(created, outcomes.size() - created, items.size() - outcomes.size(), results));
    }

    private static ApiReplies.ApiError notFound(ReminderId id) {
        return new ApiReplies.ApiError("not_found", null, "no reminder " + id);
    }

    private static View view(StoredReminder stored) {
        Reminder r = stored.reminder();
        return new View(r.id().toString(), r.id().userId(), r.id().subject(), stored.shard(),
                stored.state().name().toLowerCase(Locale.ROOT), r.dueAt(), stored.revision(), stored.scheduledAt(),
                r.title(), r.body(), r.channel(), r.data(), r.priority().label());
    }
}
