package dev.reminderpush.store;

import java.util.Locale;

/**
 * A reminder's lane. Due time decides what is due; among due reminders, higher lanes are claimed first, by
 * weighted shares and an age rule (claim.lua), so no lane starves.
 */
public enum Priority {
    HIGH, NORMAL, LOW;

    /** The name in the API, in commands and in the lane marks: {@code high}, {@code normal}, {@code low}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The lane as the scripts take it: {@code ''} for normal, whose due set is the one that existed before lanes. */
    public String laneArgument() {
        return this == NORMAL ? "" : label();
    }

    /** The API's value: exactly {@code high}, {@code normal} or {@code low}; empty for anything else. */
    public static java.util.Optional<Priority> ofLabel(String label) {
        for (Priority p : values()) {
            if (p.label().equals(label)) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    /** A lane mark as stored (absent or unknown: normal). */
    public static Priority ofStored(Object mark) {
        return mark == null ? NORMAL : ofLabel(mark.toString()).orElse(NORMAL);
    }
}
