package dev.reminderpush.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A validated reminder as a producer asked for it. {@code channel} and {@code data} may be null; {@code priority}
 * is its lane (never null: normal unless asked).
 */
public record Reminder(ReminderId id, Instant dueAt, String title, String body, String channel, ObjectNode data, Priority priority) {

    public Reminder {
        priority = priority == null ? Priority.NORMAL : priority;
    }

    public Reminder(ReminderId id, Instant dueAt, String title, String body, String channel, ObjectNode data) {
        this(id, dueAt, title, body, channel, data, Priority.NORMAL);
    }

    /** The same reminder in another lane. */
    public Reminder withPriority(Priority lane) {
        return new Reminder(id, dueAt, title, body, channel, data, lane);
    }
}
