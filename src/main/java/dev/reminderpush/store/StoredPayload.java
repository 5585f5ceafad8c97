package dev.reminderpush.store;

/**
 * The value stored per reminder in {@code <prefix>:{<shard>}:payload}:
 * <pre>7|1763700000000|http|1763690000000|{"title":"...","body":"...","data":{...}}</pre>
 * that is {@code <revision>|<due epoch millis>|<channel or empty>|<scheduled at epoch millis>|<content JSON>}.
 * The envelope in front is written by schedule.lua from values the bundle validated (digits and a channel
 * name, never a '|'); the producer's title, body and data live only in the content JSON after the fourth
 * '|'. Java and Lua read the envelope by position, so nothing inside the content can pose as an envelope
 * field, and the content is read only by a JSON parser.
 */
public record StoredPayload(long revision, long dueMillis, String channel, long scheduledAtMillis, String content) {

    public static StoredPayload parse(String payload) {
        int a = payload.indexOf('|');
        int b = payload.indexOf('|', a + 1);
        int c = payload.indexOf('|', b + 1);
        int d = payload.indexOf('|', c + 1);
        if (a <= 0 || b < 0 || c < 0 || d < 0) {
            throw new IllegalStateException("not a stored reminder payload: " + abbreviate(payload));
        }
        return new StoredPayload(Long.parseLong(payload, 0, a, 10), Long.parseLong(payload, a + 1, b, 10),
                c == b + 1 ? null : payload.substring(b + 1, c), Long.parseLong(payload, c + 1, d, 10), payload.substring(d + 1));
    }

    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
