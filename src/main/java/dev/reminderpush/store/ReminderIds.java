package dev.reminderpush.store;

import java.util.regex.Pattern;

/**
 * What a user id and a subject may contain. Both are restricted to characters that are safe in a URL
 * path segment, in a Redis member and in a log line; a user id additionally excludes ':' so that
 * {@code <userId>:<subject>} is unambiguous. Anything else is rejected rather than escaped, so the id a
 * producer sends is byte for byte the id an operator sees in redis-cli.
 */
public final class ReminderIds {

    public static final int MAX_USER_ID_LENGTH = 128;
    public static final int MAX_SUBJECT_LENGTH = 200;

    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._@+-]{1," + MAX_USER_ID_LENGTH + "}");
    private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._@+:-]{1," + MAX_SUBJECT_LENGTH + "}");

    public static final String USER_ID_RULE =
            "1 to " + MAX_USER_ID_LENGTH + " characters of A-Z a-z 0-9 . _ @ + -";
    public static final String SUBJECT_RULE =
            "1 to " + MAX_SUBJECT_LENGTH + " characters of A-Z a-z 0-9 . _ @ + - :";

    private ReminderIds() {}

    public static boolean isValidUserId(String userId) {
        return userId != null && USER_ID.matcher(userId).matches();
    }

    public static boolean isValidSubject(String subject) {
        return subject != null && SUBJECT.matcher(subject).matches();
    }
}
