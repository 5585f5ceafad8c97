package dev.reminderpush.delivery;

import java.time.Instant;

/**
 * Appends epoch millis as {@link Instant#toString()} does ({@code 2030-01-01T09:59:00Z}, or with {@code .123}),
 * formatting the date and time of a second once: a burst's reminders share their due second, and the
 * messages of one hand-off their send second.
 */
final class IsoInstants {

    private record Second(long epochSecond, String text) {}

    private final ThreadLocal<Second> last = ThreadLocal.withInitial(() -> new Second(Long.MIN_VALUE, ""));

    void append(StringBuilder out, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        Second cached = last.get();
        if (cached.epochSecond() != second) {
            String full = Instant.ofEpochSecond(second).toString(); // ...:ssZ
            cached = new Second(second, full.substring(0, full.length() - 1));
            last.set(cached);
        }
        out.append(cached.text());
        if (millis != 0) {
            out.append('.').append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                    .append((char) ('0' + millis % 10));
        }
        out.append('Z');
    }
}
