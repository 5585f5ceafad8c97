package dev.reminderpush.bench;

/** One reminder as it reached the message-center topic: its due time and the record's timestamp. */
record Delivery(String reminderId, long dueMillis, long producedMillis) {

    long lateness() {
        return producedMillis - dueMillis;
    }
}
