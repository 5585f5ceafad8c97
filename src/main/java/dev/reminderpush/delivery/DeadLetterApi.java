package dev.reminderpush.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reminderpush.ingest.ApiReplies;
import dev.reminderpush.ingest.InvalidReminderException;
import dev.reminderpush.ingest.ReminderRequestParser;
import dev.reminderpush.store.DeadLetterStore;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/** The operator endpoints behind routes/dead-letters-api.camel.yaml. */
@Component("deadLetterApi")
public class DeadLetterApi {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String id, String userId, String subject, int shard, Instant deadAt, String reason, String error,
            int attempts, String channel, long revision, Instant dueAt, String title, String body, ObjectNode data) {}

    public record PageView(List<Item> items, String nextCursor, long total) {}

    private final DeadLetterStore store;
    private final ReminderRequestParser parser;
    private final ApiReplies replies;
    private final ObjectMapper mapper;

    public DeadLetterApi(DeadLetterStore store, ReminderRequestParser parser, ApiReplies replies, ObjectMapper mapper) {
        this.store = store;
        this.parser = parser;
        this.replies = replies;
        this.mapper = mapper;
    }

    public void list(@Header("cursor") String cursor, @Header("limit") String limit, Message message) {
        int size = DEFAULT_LIMIT;
        if (limit != null && !limit.isBlank()) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > MAX_LIMIT) {
                throw InvalidReminderException.field("limit", "limit must be a number from 1 to " + MAX_LIMIT);
            }
        }
        DeadLetterStore.Page page;
        try {
            page = store.list(cursor, size);
        } catch (IllegalArgumentException e) {
            throw InvalidReminderException.field("cursor", e.getMessage());
        }
        List<Item> items = page.items().stream().map(DeadLetterApi::item).toList();
        replies.json(message, 200, new PageView(items, page.nextCursor(), page.total()));
    }

    /** Body {@code {"ids":["42:coupon-7", ...]}} redrives those; an empty body or {@code {}} redrives all. */
    public void redrive(@Body byte[] body, Message message) {
        List<ReminderId> ids = ids(body);
        DeadLetterStore.Redriven result = ids == null ? store.redriveAll() : store.redrive(ids);
        replies.json(message, 200, result);
    }

    public void delete(@Header("id") String id, Message message) {
        ReminderId reminderId = reminderId(id, "id");
        if (store.delete(reminderId)) {
            replies.json(message, 204, null);
        } else {
            replies.json(message, 404, new ApiReplies.ApiError("not_found", null, "no dead letter " + id));
        }
    }

    private List<ReminderId> ids(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            throw new InvalidReminderException("malformed_json", null, "malformed JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || (root.isObject() && root.isEmpty())) {
            return null;
        }
        JsonNode ids = root.get("ids");
        if (!root.isObject() || ids == null || !ids.isArray()) {
            throw InvalidReminderException.field("ids", "the body is {\"ids\":[\"<userId>:<subject>\", ...]}, or empty to redrive all");
        }
        List<ReminderId> parsed = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            parsed.add(reminderId(ids.get(i).isTextual() ? ids.get(i).asText() : null, "ids[" + i + "]"));
        }
        return parsed;
    }

    private ReminderId reminderId(String id, String field) {
        try {
            ReminderId parsed = ReminderId.parse(id == null ? "" : id);
            String topic = dev.reminderpush.store.Topics.topicOf(parsed.userId()); // a broadcast's: ~<topic>:<subject>
            return topic != null ? parser.broadcastId(topic, parsed.subject()) : parser.id(parsed.userId(), parsed.subject());
        } catch (IllegalArgumentException | InvalidReminderException e) {
            throw InvalidReminderException.field(field, field + " must be a reminder id <userId>:<subject> (a broadcast's: "
                    + "~<topic>:<subject>), was " + id);
        }
    }

    private static Item item(DeadLetterStore.DeadLetter dead) {
        Reminder r = dead.reminder().reminder();
        return new Item(dead.id(), r.id().userId(), r.id().subject(), dead.shard(), dead.deadAt(), dead.reason(), dead.error(),
                dead.attempts(), dead.channel(), dead.reminder().revision(), r.dueAt(), r.title(), r.body(), r.data());
    }
}
