package dev.reminderpush.dispatch;

import dev.reminderpush.store.ClaimedReminder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
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

    /**
     * This message cut into messages of at most {@code maxReminders} reminders and about {@code maxBytes}
     * bytes of JSON each (estimated from the stored content, UTF-8), in due order, so that a user with many
     * big reminders due together is never one message the channel refuses. A single reminder is never
     * cut. The parts have ids of their own (the id covers exactly the reminders it carries).
     */
    public List<OutboundMessage> split(int maxReminders, long maxBytes) {
        if (reminders.size() == 1) {
            return List.of(this);
        }
        List<ClaimedReminder> sorted = new ArrayList<>(reminders);
        sorted.sort(Comparator.comparingLong(ClaimedReminder::dueMillis));
        List<OutboundMessage> parts = new ArrayList<>(1);
        List<ClaimedReminder> part = new ArrayList<>();
        long bytes = MESSAGE_OVERHEAD + userId.length();
        for (ClaimedReminder reminder : sorted) {
            long size = REMINDER_OVERHEAD + 2L * reminder.id().toString().length() + utf8Length(reminder.content());
            if (!part.isEmpty() && (part.size() >= maxReminders || bytes + size > maxBytes)) {
                parts.add(new OutboundMessage(null, userId, channel, List.copyOf(part)));
                part.clear();
                bytes = MESSAGE_OVERHEAD + userId.length();
            }
            part.add(reminder);
            bytes += size;
        }
        if (parts.isEmpty()) {
            return List.of(this);
        }
        parts.add(new OutboundMessage(null, userId, channel, List.copyOf(part)));
        return parts;
    }

    /** messageId, userId, sentAt and the JSON around them. */
    private static final int MESSAGE_OVERHEAD = 128;
    /** revision, dueAt and the field names of one reminder, besides its id (twice: id and subject) and content. */
    private static final int REMINDER_OVERHEAD = 96;

    private static long utf8Length(String text) {
        long bytes = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                bytes += c >= 0x800 && !Character.isSurrogate(c) ? 2 : 1; // 3 bytes; a surrogate pair makes 4
            }
        }
        return bytes;
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
        if (reminders.size() == 1) {
            update(sha, reminders.get(0));
        } else {
            for (String line : reminders.stream().map(OutboundMessage::line).sorted().toList()) {
                sha.update(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16); // digest() also resets it for the next message
    }

    private static final ThreadLocal<byte[]> LINE = ThreadLocal.withInitial(() -> new byte[256]);

    /** The one line of a single reminder, without building it as a String first (most messages of a burst). */
    private static void update(MessageDigest sha, ClaimedReminder reminder) {
        String user = reminder.id().userId();
        String subject = reminder.id().subject();
        String revision = Long.toString(reminder.revision());
        byte[] line = LINE.get();
        int length = user.length() + subject.length() + revision.length() + 3;
        if (length > line.length || !ascii(user) || !ascii(subject)) {
            sha.update(line(reminder).getBytes(StandardCharsets.UTF_8));
            return;
        }
        int at = copy(user, line, 0);
        line[at++] = ':';
        at = copy(subject, line, at);
        line[at++] = '#';
        at = copy(revision, line, at);
        line[at++] = '\n';
        sha.update(line, 0, at);
    }

    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int copy(String ascii, byte[] to, int at) {
        for (int i = 0; i < ascii.length(); i++) {
            to[at++] = (byte) ascii.charAt(i);
        }
        return at;
    }

    private static String line(ClaimedReminder reminder) {
        return reminder.id().toString() + '#' + reminder.revision() + '\n';
    }
}
