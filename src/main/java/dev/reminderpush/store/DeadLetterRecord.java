package dev.reminderpush.store;

/**
 * The dead-letter record the Lua scripts write: the failure as one line of JSON written by the bundle
 * ({@code {"deadAt":N,"reason":"...","error":"...","attempts":N,...}}, never a raw newline: JSON escapes
 * it), a newline, then the reminder's stored payload ({@link StoredPayload}) as it was. Split at the first
 * newline, so nothing in the payload can pose as a failure field or move the split.
 */
record DeadLetterRecord(String failureJson, String payload) {

    static DeadLetterRecord parse(String record) {
        int newline = record.indexOf('\n');
        if (newline < 0) {
            throw new IllegalStateException("not a dead-letter record: " + StoredPayload.abbreviate(record));
        }
        return new DeadLetterRecord(record.substring(0, newline), record.substring(newline + 1));
    }
}
