package dev.reminderpush.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * The JSON payload stored per reminder in {@code <prefix>:{<shard>}:payload}:
 * <pre>{"rev":7,"v":1,"userId":"42","subject":"coupon-7","channel":"kafka","dueAt":1763700000000,"title":"...",
 *  "body":"...","data":{...},"scheduledAt":1763690000000}</pre>
 * {@code rev} is put in front by schedule.lua; {@code v} is the payload format version. {@code channel}
 * and {@code data} are left out when not set. The fields before {@code title} never hold a quote or a
 * backslash (ids are restricted), so the Lua scripts and {@link #revisionOf}/{@link #channelOf} can read
 * them without a JSON parser.
 */
@Component
public class ReminderCodec {

    public static final int FORMAT_VERSION = 1;

    private final ObjectMapper mapper;

    public ReminderCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The payload without its revision, as schedule.lua expects it. */
    public String encode(Reminder reminder, Instant scheduledAt) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("v", FORMAT_VERSION);
            json.writeStringField("userId", reminder.id().userId());
            json.writeStringField("subject", reminder.id().subject());
            if (reminder.channel() != null) {
                json.writeStringField("channel", reminder.channel());
            }
            json.writeNumberField("dueAt", reminder.dueAt().toEpochMilli());
            json.writeStringField("title", reminder.title());
            json.writeStringField("body", reminder.body());
            if (reminder.data() != null) {
                json.writeFieldName("data");
                json.writeTree(reminder.data());
            }
            json.writeNumberField("scheduledAt", scheduledAt.toEpochMilli());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The revision schedule.lua put at the front: {@code {"rev":N,...}}. */
    public static long revisionOf(String payload) {
        int end = payload.indexOf(',', 7);
        return Long.parseLong(payload, 7, end, 10);
    }

    /** The reminder's own channel, or null. Inside a JSON string a quote is escaped, so the match is the field. */
    public static String channelOf(String payload) {
        int at = payload.indexOf(",\"channel\":\"");
        if (at < 0) {
            return null;
        }
        int from = at + 12;
        return payload.substring(from, payload.indexOf('"', from));
    }

    public StoredReminder decode(String payload, int shard, StoredReminder.State state) {
        try {
            JsonNode node = mapper.readTree(payload);
            ReminderId id = new ReminderId(node.get("userId").asText(), node.get("subject").asText());
            JsonNode channel = node.get("channel");
            JsonNode data = node.get("data");
            Reminder reminder = new Reminder(
                    id,
                    Instant.ofEpochMilli(node.get("dueAt").asLong()),
                    node.get("title").asText(),
                    node.get("body").asText(),
                    channel == null ? null : channel.asText(),
                    data instanceof ObjectNode object ? object : null);
            return new StoredReminder(
                    reminder,
                    node.get("rev").asLong(),
                    Instant.ofEpochMilli(node.get("scheduledAt").asLong()),
                    shard,
                    state);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("unreadable reminder payload in shard " + shard + ": " + payload, e);
        }
    }
}
