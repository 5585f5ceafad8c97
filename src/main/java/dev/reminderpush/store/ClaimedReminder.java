package dev.reminderpush.store;

/**
 * A reminder this instance claimed: the revision it delivers and the claim that holds its lease.
 * Acknowledging, releasing or dead-lettering it names both, so neither a newer revision nor another
 * instance's later claim is ever disturbed. The payload stays the stored JSON text: the poller only needs
 * the id, due time and channel, and the delivery threads render the message from the text.
 *
 * @param channel the reminder's own channel, or null for the default
 */
public record ClaimedReminder(int shard, ReminderId id, long revision, String claimId, long dueMillis, String channel,
        String payload) {}
