package dev.reminderpush.delivery;

import java.time.Instant;

/**
 * Appends epoch millis as {@link Instant#toString()} does ({@code 2030-01-01T09:59:00Z}, or with {@code .123}),
 * formatting the date and time of a second once. Each thread remembers two seconds, because a message carries
 * two: its reminders' due second (shared by a burst) and its send second (shared by a hand-off). With one slot
 * they evicted each other on every message.
 */
final class IsoInstants {

    private static final class Seconds {
        long recent = Long.MIN_VALUE;
        String recentText = "";
        long other = Long.MIN_VALUE;
        String otherText = "";

        String text(long second) {
            if (second == recent) {
                return recentText;
            }
            long swap = recent;
            String swapText = recentText;
            if (second == other) {
                recentText = otherText;
            } else {
                String full = Instant.ofEpochSecond(second).toString(); // ...:ssZ
                recentText = full.substring(0, full.length() - 1);
            }
            recent = second;
            other = swap;
            otherText = swapText;
            return recentText;
        }
    }

    private final ThreadLocal<Seconds> seconds = ThreadLocal.withInitial(Seconds::new);

    void append(StringBuilder out, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        out.append(seconds.get().text(second));
        if (millis != 0) {
            out.append('.').append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                    .append((char) ('0' + millis % 10));
        }
        out.append('Z');
    }
}
