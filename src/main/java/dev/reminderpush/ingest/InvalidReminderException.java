package dev.reminderpush.ingest;

/**
 * Input that cannot be accepted. {@code field} names the offending JSON field or path parameter, or is
 * null when the input as a whole is unreadable.
 */
public class InvalidReminderException extends RuntimeException {

    private final String error;
    private final String field;

    public InvalidReminderException(String error, String field, String message) {
        super(message);
        this.error = error;
        this.field = field;
    }

    public static InvalidReminderException field(String field, String message) {
        return new InvalidReminderException("invalid_field", field, message);
    }

    /** Machine-readable class of the error, e.g. {@code invalid_field}, {@code malformed_json}. */
    public String error() {
        return error;
    }

    public String field() {
        return field;
    }
}
