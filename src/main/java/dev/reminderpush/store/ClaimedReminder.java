package dev.reminderpush.store;

/**
 * A reminder this instance claimed: the revision it delivers and the claim that holds its lease.
 * Acknowledging, releasing or dead-lettering it names both, so neither a newer revision nor another
 * instance's later claim is ever disturbed.
 */
public record ClaimedReminder(int shard, long revision, String claimId, long dueMillis, Reminder reminder) {

    public ReminderId id() {
        return reminder.id();
    }
}
