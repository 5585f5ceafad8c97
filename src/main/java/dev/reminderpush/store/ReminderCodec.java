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
 * The producer's content of a reminder as stored behind its envelope ({@link StoredPayload}):
 * <pre>{"title":"...","body":"...","data":{...}}</pre> ({@code data} left out when not set). Ids, due time,
 * channel and revision are never taken from it.
 */
@Component
public class ReminderCodec {

    private final ObjectMapper mapper;

    public ReminderCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The content JSON that schedule.lua stores behind the envelope. */
    public String encodeContent(Reminder reminder) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("title", reminder.title());
            json.writeStringField("body", reminder.body());
            if (reminder.data() != null) {
                json.writeFieldName("data");
                json.writeTree(reminder.data());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public StoredReminder decode(ReminderId id, String payload, int shard, StoredReminder.State state) {
        return decode(id, payload, shard, state, Priority.NORMAL);
    }

    public StoredReminder decode(ReminderId id, String payload, int shard, StoredReminder.State state, Priority lane) {
        StoredPayload stored = StoredPayload.parse(payload);
        try {
            JsonNode content = mapper.readTree(stored.content());
            JsonNode data = content.get("data");
            Reminder reminder = new Reminder(id, Instant.ofEpochMilli(stored.dueMillis()), content.get("title").asText(),
                    content.get("body").asText(), stored.channel(), data instanceof ObjectNode object ? object : null, lane);
            return new StoredReminder(reminder, stored.revision(), Instant.ofEpochMilli(stored.scheduledAtMillis()), shard, state);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("unreadable content of reminder " + id + " in shard " + shard + ": "
                    + StoredPayload.abbreviate(stored.content()), e);
        }
    }
}
