package dev.reminderpush.store;

import java.util.regex.Pattern;

/**
 * Scheduled topic broadcasts are stored and claimed as reminders of a user no producer can name: {@code ~<topic>}
 * ({@code ~} is not a user id character), on the built-in channel {@code broadcast}. So they take the same shards,
 * leases, retries and dead letters as reminders, and a reminder can never pose as a broadcast.
 */
public final class Topics {

    /** The channel of every broadcast; not one of reminders.delivery.channels, so no reminder may name it. */
    public static final String CHANNEL = "broadcast";
    public static final String RULE = "1 to 64 characters of A-Z a-z 0-9 . _ -";

    private static final String PREFIX = "~";
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Topics() {}

    public static boolean isValid(String topic) {
        return topic != null && TOPIC.matcher(topic).matches();
    }

    /** The stored user id of a topic's broadcasts. */
    public static String userIdOf(String topic) {
        return PREFIX + topic;
    }

    /** The topic of a stored user id, or null for a real user. */
    public static String topicOf(String userId) {
        return userId != null && userId.startsWith(PREFIX) ? userId.substring(PREFIX.length()) : null;
    }
}
