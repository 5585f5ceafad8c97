package dev.reminderpush.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.store.ClaimedReminder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * The JSON the message center receives, on every channel:
 * <pre>{"messageId":"...","userId":"42","reminders":[{"id":"42:coupon-7","subject":"coupon-7","revision":7,
 *  "title":"...","body":"...","dueAt":"2030-01-01T09:59:00Z","data":{...}}],"sentAt":"..."}</pre>
 * Rendered by streaming the stored payloads into the output (no object tree per reminder).
 */
@Component
public class MessageCodec {

    private final JsonFactory json;
    private final Clock clock;

    public MessageCodec(ObjectMapper mapper, Clock clock) {
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
                copyContent(claimed.payload(), gen);
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

    /** Copies title, body and data from a stored payload. */
    private void copyContent(String payload, JsonGenerator gen) throws IOException {
        try (JsonParser parser = json.createParser(payload)) {
            parser.nextToken(); // START_OBJECT
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "title", "body", "data" -> {
                        gen.writeFieldName(field);
                        gen.copyCurrentStructure(parser);
                    }
                    default -> parser.skipChildren();
                }
            }
        }
    }
}
