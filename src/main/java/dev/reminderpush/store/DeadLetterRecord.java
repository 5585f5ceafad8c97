package dev.reminderpush.store;

/**
 * The dead-letter record the Lua scripts write: {@code {"deadAt":N,"reason":"...","error":"...",...,"payload":{...}}},
 * payload always last so a script can cut it out without a JSON parser.
 */
final class DeadLetterRecord {

    private static final String PAYLOAD_FIELD = ",\"payload\":";

    private DeadLetterRecord() {}

    static String payloadOf(String record) {
        int at = record.lastIndexOf(PAYLOAD_FIELD + "{\"rev\":");
        if (at < 0 || !record.endsWith("}")) {
            throw new IllegalStateException("not a dead-letter record: " + record);
        }
        return record.substring(at + PAYLOAD_FIELD.length(), record.length() - 1);
    }
}
