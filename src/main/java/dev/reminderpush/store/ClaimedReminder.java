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
 * @param position its place in the claim's reply (0, 1, ...): with the claim id, what the dispatcher tracks it by
 */
public record ClaimedReminder(int shard, ReminderId id, long revision, String claimId, long dueMillis, String channel,
        String content, int position) {

    /** A reminder outside any claim reply (tests, renderers): it has no position. */
    public ClaimedReminder(int shard, ReminderId id, long revision, String claimId, long dueMillis, String channel,
            String content) {
        this(shard, id, revision, claimId, dueMillis, channel, content, -1);
    }
}
