package dev.reminderpush.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A validated reminder as a producer asked for it. {@code channel} and {@code data} may be null.
 */
public record Reminder(ReminderId id, Instant dueAt, String title, String body, String channel, ObjectNode data) {}
