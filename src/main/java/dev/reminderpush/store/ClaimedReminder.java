package dev.reminderpush.store;

/**
 * A reminder this instance claimed: the revision it delivers and the claim that holds its lease.
 * Acknowledging, releasing or dead-lettering it names both, so neither a newer revision nor another
 * instance's later claim is ever disturbed. The content stays the stored JSON text ({@link StoredPayload}):
 * the poller only needs the id, due time and channel, and the delivery threads copy the content into the
 * message as it is.
 *
 * @param channel the reminder's own channel, or null for the default
 * @param content the producer's title, body and data as stored: {@code {"title":...,"body":...,"data":...}}
 */
public record ClaimedReminder(int shard, ReminderId id, long revision, String claimId, long dueMillis, String channel,
        String content) {}
