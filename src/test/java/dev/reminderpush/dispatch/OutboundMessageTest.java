package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.ReminderId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The messageId is the documented hash, whichever way it is computed (one reminder or many, ASCII or not). */
class OutboundMessageTest {

    static ClaimedReminder claimed(String user, String subject, long revision) {
        return new ClaimedReminder(0, new ReminderId(user, subject), revision, "c:1", 0, null, "{}");
    }

    static String documented(String... lines) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String line : List.of(lines).stream().sorted().toList()) {
            sha.update((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    @Test
    void singleReminderIdsAreTheHashOfTheirLine() throws Exception {
        assertThat(OutboundMessage.messageId(List.of(claimed("42", "coupon-7", 7)))).isEqualTo(documented("42:coupon-7#7"));
        assertThat(OutboundMessage.messageId(List.of(claimed("u", "café ☕", 123456789012L))))
                .isEqualTo(documented("u:café ☕#123456789012"));
        String longSubject = "s".repeat(300);
        assertThat(OutboundMessage.messageId(List.of(claimed("u", longSubject, 1)))).isEqualTo(documented("u:" + longSubject + "#1"));
        // the thread's line buffer holds nothing over from a longer line before
        assertThat(OutboundMessage.messageId(List.of(claimed("1", "a", 2)))).isEqualTo(documented("1:a#2"));
    }

    @Test
    void mergedIdsAreTheHashOfTheSortedLines() throws Exception {
        assertThat(OutboundMessage.messageId(List.of(claimed("9", "b", 2), claimed("9", "a", 10))))
                .isEqualTo(documented("9:b#2", "9:a#10"));
    }
}
