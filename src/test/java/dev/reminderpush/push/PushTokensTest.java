package dev.reminderpush.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PushTokensTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef";
    final PushTokens tokens = new PushTokens(SECRET);
    final Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void aTokenNamesItsUserUntilItExpires() {
        String token = tokens.issue("user.with.dots@example", now.plusSeconds(60));
        assertThat(tokens.verify(token, now)).hasValue("user.with.dots@example");
        assertThat(tokens.verify(token, now.plusSeconds(60))).isEmpty();
    }

    /** The README's recipe (HMAC-SHA256 of "<userId>.<expiry>", unpadded base64url) gives a token the bundle takes. */
    @Test
    void aTokenMadeByTheDocumentedRecipeIsAccepted() throws Exception {
        long expiry = now.plusSeconds(3600).getEpochSecond();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(("42." + expiry).getBytes(StandardCharsets.UTF_8)));
        assertThat(tokens.verify("42." + expiry + "." + signature, now)).hasValue("42");
    }

    @Test
    void aTokenChangedInAnyPartOrSignedWithAnotherSecretIsRefused() {
        String token = tokens.issue("42", now.plusSeconds(60));
        String[] parts = token.split("\\.");
        assertThat(tokens.verify("43." + parts[1] + "." + parts[2], now)).isEmpty();
        assertThat(tokens.verify("42." + (Long.parseLong(parts[1]) + 3600) + "." + parts[2], now)).isEmpty();
        assertThat(tokens.verify("42." + parts[1] + "." + parts[2].substring(1), now)).isEmpty();
        assertThat(new PushTokens("another-secret-another-secret-xx").verify(token, now)).isEmpty();
        for (String garbage : new String[] {"", ".", "..", "42", "42.x.y", ".1.sig", null}) {
            assertThat(tokens.verify(garbage, now)).as(String.valueOf(garbage)).isEmpty();
        }
    }
}
