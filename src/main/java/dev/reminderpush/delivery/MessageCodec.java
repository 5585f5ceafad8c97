package dev.reminderpush.delivery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.Reminder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * The JSON the message center receives, on every channel:
 * <pre>{"messageId":"...","userId":"42","reminders":[{"id":"42:coupon-7","subject":"coupon-7","revision":7,
 *  "title":"...","body":"...","dueAt":"2030-01-01T09:59:00Z","data":{...}}],"sentAt":"..."}</pre>
 */
@Component("messageCodec")
public class MessageCodec {

    private final ObjectMapper mapper;
    private final Clock clock;

    public MessageCodec(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    public String render(@ExchangeProperty(DeliveryGateway.MESSAGE) OutboundMessage message) {
        StringWriter out = new StringWriter(256 * message.reminders().size());
        try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("messageId", message.messageId());
            json.writeStringField("userId", message.userId());
            json.writeArrayFieldStart("reminders");
            for (ClaimedReminder claimed : message.reminders()) {
                Reminder r = claimed.reminder();
                json.writeStartObject();
                json.writeStringField("id", r.id().toString());
                json.writeStringField("subject", r.id().subject());
                json.writeNumberField("revision", claimed.revision());
                json.writeStringField("title", r.title());
                json.writeStringField("body", r.body());
                json.writeStringField("dueAt", Instant.ofEpochMilli(claimed.dueMillis()).toString());
                if (r.data() != null) {
                    json.writeFieldName("data");
                    json.writeTree(r.data());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeStringField("sentAt", clock.instant().toString());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
