package dev.reminderpush.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.FleetClock;
import dev.reminderpush.store.ReminderId;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fast renderer writes exactly what a JSON parser reads back, Instant's own format for times, and escapes what needs it. */
class MessageCodecTest {

    final ObjectMapper mapper = new ObjectMapper();
    final MessageCodec codec = new MessageCodec(mapper, new FleetClock(Clock.systemUTC()));

    static ClaimedReminder claimed(String user, String subject, long due, String content) {
        return new ClaimedReminder(3, new ReminderId(user, subject), 7, "c:1", due, null, content);
    }

    @Test
    void everyFieldReadsBackAsWritten() throws Exception {
        long[] dues = {1_900_000_000_000L, 1_900_000_000_120L, 1_900_000_000_007L, 1_900_000_000_999L};
        String content = "{\"title\":\"Caf\\u00e9 \\\"50%\\\" off\",\"body\":\"line\\nnext ☕\",\"data\":{\"dueAt\":\"x\",\"n\":[1,{\"a\":null}]}}";
        List<ClaimedReminder> reminders = new java.util.ArrayList<>();
        for (int i = 0; i < dues.length; i++) {
            reminders.add(claimed("u.1_@+-", "coupon:" + i, dues[i], content));
        }
        reminders.add(claimed("u.1_@+-", "empty", dues[0], "{}"));
        OutboundMessage message = OutboundMessage.of("u.1_@+-", "kafka", reminders);

        JsonNode json = mapper.readTree(codec.render(message));

        assertThat(json.get("messageId").asText()).isEqualTo(message.messageId());
        assertThat(json.get("userId").asText()).isEqualTo("u.1_@+-");
        assertThat(json.get("reminders")).hasSize(5);
        for (int i = 0; i < dues.length; i++) {
            JsonNode r = json.get("reminders").get(i);
            assertThat(r.get("id").asText()).isEqualTo("u.1_@+-:coupon:" + i);
            assertThat(r.get("subject").asText()).isEqualTo("coupon:" + i);
            assertThat(r.get("revision").asLong()).isEqualTo(7);
            assertThat(r.get("title").asText()).isEqualTo("Café \"50%\" off");
            assertThat(r.get("body").asText()).isEqualTo("line\nnext ☕");
            assertThat(r.get("data")).isEqualTo(mapper.readTree(content).get("data"));
            assertThat(r.get("dueAt").asText()).isEqualTo(Instant.ofEpochMilli(dues[i]).toString());
        }
        assertThat(json.get("reminders").get(4).has("title")).isFalse();
        assertThat(Instant.parse(json.get("sentAt").asText())).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(5, java.time.temporal.ChronoUnit.SECONDS));
    }

    @Test
    void anIdWithCharactersJsonEscapesIsEscaped() throws Exception {
        OutboundMessage message = OutboundMessage.of("we\"ird\\", "kafka",
                List.of(claimed("we\"ird\\", "s\u0001", 1_900_000_000_000L, "{\"title\":\"t\"}")));

        JsonNode json = mapper.readTree(codec.render(message));

        assertThat(json.get("userId").asText()).isEqualTo("we\"ird\\");
        assertThat(json.get("reminders").get(0).get("id").asText()).isEqualTo("we\"ird\\:s\u0001");
        assertThat(json.get("reminders").get(0).get("dueAt").asText()).isEqualTo("2030-03-17T17:46:40Z");
    }

    @Test
    void instantsOfAlternatingSecondsAreFormattedAsInstantDoes() {
        IsoInstants instants = new IsoInstants();
        long[] times = {1_900_000_000_000L, 1_900_000_005_120L, 1_900_000_000_007L, 1_900_000_005_999L,
                1_900_000_009_000L, 1_900_000_000_500L, -1L, 0L, 1_900_000_005_001L};
        for (long time : times) {
            StringBuilder out = new StringBuilder();
            instants.append(out, time);
            assertThat(out).as("%d", time).hasToString(Instant.ofEpochMilli(time).toString());
        }
    }
}
