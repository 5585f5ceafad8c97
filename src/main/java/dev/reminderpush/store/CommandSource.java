package dev.reminderpush.store;

/**
 * Where a Kafka command came from: its partition ({@code <topic>-<partition>}), offset and record timestamp.
 * The store applies a command once: a record it has applied already (a replay) changes nothing.
 */
public record CommandSource(String partition, long offset, long timestampMillis) {

    static final CommandSource NONE = new CommandSource("", 0, 0);

    Object[] args() {
        return new Object[] {partition, Long.toString(offset), Long.toString(timestampMillis)};
    }
}
