package dev.reminderpush.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.FleetClock;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * The JSON the message center receives, on every channel:
 * <pre>{"messageId":"...","userId":"42","reminders":[{"id":"42:coupon-7","subject":"coupon-7","revision":7,
 *  "title":"...","body":"...","dueAt":"2030-01-01T09:59:00Z","data":{...}}],"sentAt":"..."}</pre>
 * Rendered by copying each reminder's stored content into the output as it is (no parsing per reminder).
 * Ids are validated at ingest to characters JSON never escapes, so the fast path appends them as they are;
 * a message with any other character in an id (data written by something else) goes through Jackson.
 */
@Component
public class MessageCodec {

    private final JsonFactory json;
    private final FleetClock clock;
    private final IsoInstants instants = new IsoInstants();

    public MessageCodec(ObjectMapper mapper, FleetClock clock) {
        this.json = mapper.getFactory();
        this.clock = clock;
    }

    public String render(OutboundMessage message) {
        long sentAt = clock.millis();
        if (!plain(message.messageId()) || !plain(message.userId())) {
            return renderEscaped(message, sentAt);
        }
        int size = 96;
        for (ClaimedReminder claimed : message.reminders()) {
            if (!plain(claimed.id().userId()) || !plain(claimed.id().subject())) {
                return renderEscaped(message, sentAt);
            }
            size += 112 + 2 * claimed.id().subject().length() + claimed.content().length();
        }
        StringBuilder out = new StringBuilder(size);
        out.append("{\"messageId\":\"").append(message.messageId()).append("\",\"userId\":\"").append(message.userId())
                .append("\",\"reminders\":[");
        boolean first = true;
        for (ClaimedReminder claimed : message.reminders()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append("{\"id\":\"").append(claimed.id().userId()).append(':').append(claimed.id().subject())
                    .append("\",\"subject\":\"").append(claimed.id().subject()).append("\",\"revision\":").append(claimed.revision());
            String content = claimed.content();
            if (content.length() > 2) { // title, body and data: a JSON object the bundle wrote (ReminderCodec)
                out.append(',').append(content, 1, content.length() - 1);
            }
            out.append(",\"dueAt\":\"");
            instants.append(out, claimed.dueMillis());
            out.append("\"}");
        }
        out.append("],\"sentAt\":\"");
        instants.append(out, sentAt);
        return out.append("\"}").toString();
    }

    /** Characters JSON strings carry as they are: printable ASCII but the quote and the backslash. */
    private static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private String renderEscaped(OutboundMessage message, long sentAt) {
        StringWriter out = new StringWriter(256 * message.reminders().size());
        try (JsonGenerator gen = json.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("messageId", message.messageId());
            gen.writeStringField("userId", message.userId());
            gen.writeArrayFieldStart("reminders");
            for (ClaimedReminder claimed : message.reminders()) {
                gen.writeStartObject();
                gen.writeStringField("id", claimed.id().toString());
                gen.writeStringField("subject", claimed.id().subject());
                gen.writeNumberField("revision", claimed.revision());
                String content = claimed.content();
                if (content.length() > 2) {
                    gen.writeRaw(',');
                    gen.writeRaw(content, 1, content.length() - 2);
                }
                gen.writeStringField("dueAt", Instant.ofEpochMilli(claimed.dueMillis()).toString());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeStringField("sentAt", Instant.ofEpochMilli(sentAt).toString());
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
