package dev.reminderpush.ingest;

import dev.reminderpush.store.Reminder;

/** One element of a batch: a valid reminder, or the reason it was rejected. */
public record BatchItem(int index, Reminder reminder, InvalidReminderException rejection) {

    static BatchItem accepted(int index, Reminder reminder) {
        return new BatchItem(index, reminder, null);
    }

    static BatchItem rejected(int index, InvalidReminderException rejection) {
        return new BatchItem(index, null, rejection);
    }

    public boolean isAccepted() {
        return reminder != null;
    }
}
