package dev.reminderpush.push;

/** A connection refused before it opened: the HTTP status and the JSON error body the client gets. */
final class PushRefusal extends RuntimeException {

    final int status;
    final String error;
    final String field;

    PushRefusal(int status, String error, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    /** {@code {"error":..,"field":..,"message":..}} (no field when null). */
    String json() {
        return "{\"error\":\"" + error + "\"" + (field == null ? "" : ",\"field\":\"" + field + "\"") + ",\"message\":"
                + quote(getMessage()) + "}";
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** The metric label of the refusal. */
    String reason() {
        return status == 503 ? "full" : status == 401 ? "unauthorized" : "invalid";
    }
}
