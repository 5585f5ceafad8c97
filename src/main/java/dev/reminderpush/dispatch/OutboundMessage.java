package dev.reminderpush.dispatch;

import dev.reminderpush.store.ClaimedReminder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One message to the message center: the merged reminders of one user for one channel. Its id is
 * derived from the reminder ids and revisions only, so a redelivery of the same group carries the same
 * id and the message center can drop it.
 */
public record OutboundMessage(String messageId, String userId, String channel, List<ClaimedReminder> reminders) {

    public static OutboundMessage of(String userId, String channel, List<ClaimedReminder> reminders) {
        return new OutboundMessage(messageId(reminders), userId, channel, List.copyOf(reminders));
    }

    /** The same message with its id computed (the gateway does it on a delivery thread, not the poller). */
    public OutboundMessage withId() {
        return messageId != null ? this : new OutboundMessage(messageId(reminders), userId, channel, reminders);
    }

    /** A message whose id is not computed yet. */
    static OutboundMessage pending(String userId, String channel, List<ClaimedReminder> reminders) {
        return new OutboundMessage(null, userId, channel, reminders);
    }

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    });

    /** First 128 bits, hex, of SHA-256 over the sorted lines {@code <reminder id>#<revision>}. */
    static String messageId(List<ClaimedReminder> reminders) {
        MessageDigest sha = SHA_256.get();
        List<String> lines = reminders.size() == 1
                ? List.of(line(reminders.get(0)))
                : reminders.stream().map(OutboundMessage::line).sorted().toList();
        for (String line : lines) {
            sha.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16); // digest() also resets it for the next message
    }

    private static String line(ClaimedReminder reminder) {
        return reminder.id().toString() + '#' + reminder.revision() + '\n';
    }
}
