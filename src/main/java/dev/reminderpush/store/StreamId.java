package dev.reminderpush.store;

import java.util.regex.Pattern;

/** A Redis stream entry id, {@code <millis>-<sequence>}: orders a user's inbox and is what clients resume from. */
public record StreamId(long millis, long sequence) implements Comparable<StreamId> {

    private static final Pattern FORMAT = Pattern.compile("[0-9]{1,19}-[0-9]{1,19}");

    /** Throws IllegalArgumentException unless {@code text} is an entry id. */
    public static StreamId parse(String text) {
        if (text == null || !FORMAT.matcher(text).matches()) {
            throw new IllegalArgumentException("a message id is <digits>-<digits>, was \"" + text + "\"");
        }
        int dash = text.indexOf('-');
        try {
            StreamId id = new StreamId(Long.parseLong(text, 0, dash, 10), Long.parseLong(text, dash + 1, text.length(), 10));
            if (id.millis == Long.MAX_VALUE && id.sequence == Long.MAX_VALUE) {
                throw new NumberFormatException("no id follows it");
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a message id is <digits>-<digits> within 63 bits, was \"" + text + "\"");
        }
    }

    /** The smallest id after this one. */
    public StreamId next() {
        return sequence == Long.MAX_VALUE ? new StreamId(millis + 1, 0) : new StreamId(millis, sequence + 1);
    }

    @Override
    public int compareTo(StreamId other) {
        int byMillis = Long.compare(millis, other.millis);
        return byMillis != 0 ? byMillis : Long.compare(sequence, other.sequence);
    }

    @Override
    public String toString() {
        return millis + "-" + sequence;
    }
}
