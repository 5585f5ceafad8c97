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
 */
@Component
public class MessageCodec {

    private final JsonFactory json;
    private final FleetClock clock;

    public MessageCodec(ObjectMapper mapper, FleetClock clock) {
        this.json = mapper.getFactory();
        this.clock = clock;
    }

    public String render(OutboundMessage message) {
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
                copyContent(claimed.content(), gen);
                gen.writeStringField("dueAt", Instant.ofEpochMilli(claimed.dueMillis()).toString());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeStringField("sentAt", clock.instant().toString());
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Copies title, body and data: the stored content is a JSON object the bundle wrote ({@code ReminderCodec}). */
    private static void copyContent(String content, JsonGenerator gen) throws IOException {
        gen.writeRaw(',');
        gen.writeRaw(content, 1, content.length() - 2);
    }
}
