package dev.reminderpush.store;

import java.time.Instant;

/**
 * A reminder as read back from Redis, with the revision the store gave it and where it stands.
 */
public record StoredReminder(Reminder reminder, long revision, Instant scheduledAt, int shard, State state) {

    public enum State {
        /** In the shard's due set, waiting for its due time. */
        SCHEDULED,
        /** Payload present but no longer in the due set: a dispatcher has claimed it and is delivering it. */
        DELIVERING,
        /** Delivery failed for good; it waits in the dead letters for an operator. */
        DEAD
    }
}
