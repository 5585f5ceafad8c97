package dev.reminderpush.push;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Client tokens: {@code <userId>.<expiry, epoch seconds>.<signature>}, the signature being the unpadded base64url
 * HMAC-SHA256, under {@code reminders.push.token-secret}, of {@code <userId>.<expiry>} (README "Real-time push"
 * shows how a backend issues one). The user id may contain dots: the token is read from its right end.
 */
public final class PushTokens {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public PushTokens(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    public String issue(String userId, Instant expiresAt) {
        String signed = userId + "." + expiresAt.getEpochSecond();
        return signed + "." + sign(signed);
    }

    /** The user the token was issued to, if its signature holds and it has not expired at {@code now}. */
    public Optional<String> verify(String token, Instant now) {
        if (token == null) {
            return Optional.empty();
        }
        int signatureDot = token.lastIndexOf('.');
        int expiryDot = signatureDot <= 0 ? -1 : token.lastIndexOf('.', signatureDot - 1);
        if (expiryDot <= 0) {
            return Optional.empty();
        }
        String signed = token.substring(0, signatureDot);
        byte[] expected = sign(signed).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, token.substring(signatureDot + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(expiryDot + 1, signatureDot));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return now.getEpochSecond() < expiry ? Optional.of(token.substring(0, expiryDot)) : Optional.empty();
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
