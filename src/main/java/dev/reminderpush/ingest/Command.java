package dev.reminderpush.ingest;

import dev.reminderpush.store.Reminder;
import dev.reminderpush.store.ReminderId;

/** A record of the Kafka command topic, once parsed. */
public sealed interface Command {

    record Schedule(Reminder reminder) implements Command {}

    record Cancel(ReminderId id) implements Command {}
}
