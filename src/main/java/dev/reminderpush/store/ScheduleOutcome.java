package dev.reminderpush.store;

import java.time.Instant;

/** What one schedule did: created a new reminder or replaced one, and the revision it now has. */
public record ScheduleOutcome(ReminderId id, int shard, Instant dueAt, boolean created, long revision) {}
