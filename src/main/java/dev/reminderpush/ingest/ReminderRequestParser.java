package dev.reminderpush.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reminderpush.ReminderProperties;
import dev.reminderpush.store.Priority;
import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderCodec;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderIds;
import dev.reminderpush.store.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Turns producer JSON (REST bodies, batch items, Kafka commands) into validated {@link Reminder}s.
 * Every rejection is an {@link InvalidReminderException} that names the field.
 */
@Component
public class ReminderRequestParser {

    private static final Set<String> REMINDER_FIELDS = Set.of("dueAt", "title", "body", "channel", "data", "priority");
    private static final Set<String> BROADCAST_FIELDS = Set.of("dueAt", "title", "body", "data", "priority");
    private static final Set<String> BATCH_ITEM_FIELDS = Set.of("userId", "subject", "dueAt", "title", "body", "channel", "data", "priority");
    private static final Set<String> SCHEDULE_COMMAND_FIELDS =
            Set.of("type", "userId", "subject", "dueAt", "title", "body", "channel", "data", "priority");
    private static final Set<String> CANCEL_COMMAND_FIELDS = Set.of("type", "userId", "subject");
    /** Deepest nesting of {@code data}: the message wraps it three levels deeper, far below any JSON parser's limit. */
    public static final int MAX_DATA_DEPTH = 32;
    /** Below this, an epoch-millis due time is surely epoch seconds sent by mistake (it would be in 1973). */
    private static final long MILLIS_PLAUSIBLE_FROM = 100_000_000_000L;

    private final ObjectMapper mapper;
    private final ReminderCodec codec;
    private final ReminderProperties properties;
    private final Clock clock;

    public ReminderRequestParser(ObjectMapper mapper, ReminderCodec codec, ReminderProperties properties, Clock clock) {
        this.mapper = mapper;
        this.codec = codec;
        this.properties = properties;
        this.clock = clock;
    }

    /** The body of {@code PUT /api/reminders/{userId}/{subject}}. */
    public Reminder parseSchedule(String userId, String subject, byte[] body) {
        ReminderId id = id(userId, subject);
        return reminder(id, object(readJson(body), null), REMINDER_FIELDS, null);
    }

    /** The body of {@code PUT /api/broadcasts/{topic}/{subject}}: a reminder's, without a channel. */
    public Reminder parseBroadcast(String topic, String subject, byte[] body) {
        Reminder parsed = reminder(broadcastId(topic, subject), object(readJson(body), null), BROADCAST_FIELDS, null);
        return new Reminder(parsed.id(), parsed.dueAt(), parsed.title(), parsed.body(), Topics.CHANNEL, parsed.data(), parsed.priority());
    }

    public ReminderId broadcastId(String topic, String subject) {
        if (!Topics.isValid(topic)) {
            throw InvalidReminderException.field("topic", "topic must be " + Topics.RULE);
        }
        if (!ReminderIds.isValidSubject(subject)) {
            throw InvalidReminderException.field("subject", "subject must be " + ReminderIds.SUBJECT_RULE);
        }
        return new ReminderId(Topics.userIdOf(topic), subject);
    }

    /** A user id from a request path, or a 400 naming the field. */
    public String userId(String userId) {
        if (!ReminderIds.isValidUserId(userId)) {
            throw InvalidReminderException.field("userId", "userId must be " + ReminderIds.USER_ID_RULE);
        }
        return userId;
    }

    public ReminderId id(String userId, String subject) {
        userId(userId);
        if (!ReminderIds.isValidSubject(subject)) {
            throw InvalidReminderException.field("subject", "subject must be " + ReminderIds.SUBJECT_RULE);
        }
        return new ReminderId(userId, subject);
    }

    /** A batch body: the array as a whole must be readable and within the limit; items are judged one by one. */
    public List<BatchItem> parseBatch(byte[] body) {
        JsonNode root = readJson(body);
        if (!root.isArray()) {
            throw new InvalidReminderException("invalid_batch", null, "a batch is a JSON array of reminders");
        }
        if (root.size() > properties.maxBatchItems()) {
            throw new InvalidReminderException("invalid_batch", null, "a batch holds at most " + properties.maxBatchItems()
                    + " reminders (reminders.max-batch-items), this one has " + root.size());
        }
        List<BatchItem> items = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            try {
                ObjectNode item = object(root.get(i), null);
                ReminderId id = id(text(item, "userId", true), text(item, "subject", true));
                items.add(BatchItem.accepted(i, reminder(id, item, BATCH_ITEM_FIELDS, null)));
            } catch (InvalidReminderException e) {
                items.add(BatchItem.rejected(i, e));
            }
        }
        return items;
    }

    /** A record of the Kafka command topic. */
    public Command parseCommand(byte[] value) {
        return parseCommand(value, null);
    }

    /**
     * A record of the Kafka command topic; {@code producedAt} (the record's timestamp, or null for now) is the
     * moment {@code max-past} and {@code max-future} are judged from.
     */
    public Command parseCommand(byte[] value, Instant producedAt) {
        ObjectNode command = object(readJson(value), null);
        String type = text(command, "type", true);
        ReminderId id = id(text(command, "userId", true), text(command, "subject", true));
        return switch (type) {
            case "schedule" -> new Command.Schedule(reminder(id, command, SCHEDULE_COMMAND_FIELDS, producedAt));
            case "cancel" -> {
                rejectUnknownFields(command, CANCEL_COMMAND_FIELDS);
                yield new Command.Cancel(id);
            }
            default -> throw InvalidReminderException.field("type", "type must be \"schedule\" or \"cancel\", was \"" + type + "\"");
        };
    }

    private Reminder reminder(ReminderId id, ObjectNode json, Set<String> allowed, Instant reference) {
        rejectUnknownFields(json, allowed);
        Instant dueAt = dueAt(json.get("dueAt"), reference == null ? clock.instant() : reference);
        String title = text(json, "title", true);
        if (title.isBlank()) {
            throw InvalidReminderException.field("title", "title must not be blank");
        }
        String body = text(json, "body", true);
        String channel = text(json, "channel", false);
        List<String> channels = properties.delivery().channels();
        if (channel != null && !channels.contains(channel)) {
            throw InvalidReminderException.field("channel", "channel must be one of " + channels
                    + " (reminders.delivery.channels), was \"" + channel + "\"");
        }
        JsonNode data = json.get("data");
        if (data != null && !data.isNull() && !data.isObject()) {
            throw InvalidReminderException.field("data", "data must be a JSON object, was " + kind(data));
        }
        if (data != null && depth(data, 1) > MAX_DATA_DEPTH) {
            throw InvalidReminderException.field("data", "data may nest at most " + MAX_DATA_DEPTH
                    + " levels of objects and arrays (the message center's JSON parser must be able to read every message)");
        }
        Reminder reminder = new Reminder(id, dueAt, title, body, channel, data == null || data.isNull() ? null : (ObjectNode) data,
                priority(json));
        checkSize(reminder);
        return reminder;
    }

    /** Levels of objects and arrays in {@code node}, counting stops once past the limit. */
    private static int depth(JsonNode node, int level) {
        int deepest = level;
        if (level > MAX_DATA_DEPTH) {
            return level;
        }
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                deepest = Math.max(deepest, depth(child, level + 1));
            }
        }
        return deepest;
    }

    private Instant dueAt(JsonNode node, Instant now) {
        if (node == null || node.isNull()) {
            throw InvalidReminderException.field("dueAt", "dueAt is required: an ISO-8601 instant or epoch millis");
        }
        Instant dueAt;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            long millis = node.asLong();
            if (millis > 0 && millis < MILLIS_PLAUSIBLE_FROM) {
                throw InvalidReminderException.field("dueAt", "dueAt " + millis + " looks like epoch seconds; send epoch milliseconds");
            }
            dueAt = Instant.ofEpochMilli(millis);
        } else if (node.isTextual()) {
            try {
                dueAt = OffsetDateTime.parse(node.asText()).toInstant();
            } catch (DateTimeParseException e) {
                throw InvalidReminderException.field("dueAt", "dueAt \"" + node.asText()
                        + "\" is not an ISO-8601 instant with offset, e.g. 2026-11-20T10:00:00Z");
            }
        } else {
            throw InvalidReminderException.field("dueAt", "dueAt must be an ISO-8601 string or integer epoch millis, was " + kind(node));
        }
        if (dueAt.isBefore(now.minus(properties.dueAt().maxPast()))) {
            throw InvalidReminderException.field("dueAt", "dueAt " + dueAt + " is more than " + properties.dueAt().maxPast()
                    + " in the past (reminders.due-at.max-past)");
        }
        if (dueAt.isAfter(now.plus(properties.dueAt().maxFuture()))) {
            throw InvalidReminderException.field("dueAt", "dueAt " + dueAt + " is more than " + properties.dueAt().maxFuture()
                    + " ahead (reminders.due-at.max-future)");
        }
        return dueAt;
    }

    private void checkSize(Reminder reminder) {
        long limit = properties.maxPayloadSize().toBytes();
        int size = codec.encodeContent(reminder).getBytes(StandardCharsets.UTF_8).length;
        if (size > limit) {
            throw InvalidReminderException.field(largestField(reminder), "the reminder payload is " + size
                    + " bytes, over the limit of " + limit + " bytes (reminders.max-payload-size)");
        }
    }

    private String largestField(Reminder reminder) {
        int title = reminder.title().length();
        int body = reminder.body().length();
        int data = reminder.data() == null ? 0 : reminder.data().toString().length();
        if (data >= title && data >= body) {
            return "data";
        }
        return body >= title ? "body" : "title";
    }

    private void rejectUnknownFields(ObjectNode json, Set<String> allowed) {
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw InvalidReminderException.field(name, "unknown field \"" + name + "\"; allowed: " + allowed);
            }
        }
    }

    /** The lane: absent or null is normal; otherwise exactly "high", "normal" or "low". */
    private static Priority priority(ObjectNode json) {
        String label = text(json, "priority", false);
        if (label == null) {
            return Priority.NORMAL;
        }
        return Priority.ofLabel(label).orElseThrow(() -> InvalidReminderException.field("priority",
                "priority must be \"high\", \"normal\" or \"low\", was \"" + label + "\""));
    }

    private static String text(ObjectNode json, String field, boolean required) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw InvalidReminderException.field(field, field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw InvalidReminderException.field(field, field + " must be a string, was " + kind(node));
        }
        return node.asText();
    }

    private JsonNode readJson(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidReminderException("malformed_json", null, "the request body is empty; a JSON document is required");
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new InvalidReminderException("malformed_json", null, "the request body holds no JSON document");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidReminderException("malformed_json", null, "malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new InvalidReminderException("malformed_json", null, "unreadable JSON: " + e.getMessage());
        }
    }

    private static ObjectNode object(JsonNode node, String field) {
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidReminderException(field == null ? "invalid_document" : "invalid_field", field,
                    "a reminder is a JSON object, was " + kind(node));
        }
        return object;
    }

    private static String kind(JsonNode node) {
        return node == null ? "missing" : node.getNodeType().name().toLowerCase();
    }
}
