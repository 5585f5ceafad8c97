package dev.reminderpush.store;

/**
 * Identity of a reminder: one per (user, subject). Rendered as {@code <userId>:<subject>}; user ids
 * cannot contain ':' (see {@link ReminderIds}), so the first ':' always separates the two parts.
 */
public record ReminderId(String userId, String subject) {

    public static ReminderId parse(String id) {
        int colon = id.indexOf(':');
        if (colon <= 0 || colon == id.length() - 1) {
            throw new IllegalArgumentException("not a reminder id (<userId>:<subject>): " + id);
        }
        return new ReminderId(id.substring(0, colon), id.substring(colon + 1));
    }

    @Override
    public String toString() {
        return userId + ':' + subject;
    }
}
