package dev.reminderpush.ingest;

import dev.reminderpush.store.CommandSource;
import dev.reminderpush.store.ReminderStore;
import java.time.Instant;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Applies the records of the Kafka command topic (routes/kafka-commands.camel.yaml). A record that
 * cannot be applied is parked with its reason; an unreachable Redis is retried, never parked.
 */
@Component("commandIngest")
public class CommandIngest {

    public static final String PARK_REASON = "reminder-park-reason";
    public static final String PARK_FIELD = "reminder-park-field";
    public static final String SOURCE_TOPIC = "reminder-source-topic";
    public static final String SOURCE_PARTITION = "reminder-source-partition";
    public static final String SOURCE_OFFSET = "reminder-source-offset";

    private static final Logger LOG = LoggerFactory.getLogger(CommandIngest.class);

    private final ReminderRequestParser parser;
    private final ReminderStore store;

    public CommandIngest(ReminderRequestParser parser, ReminderStore store) {
        this.parser = parser;
        this.store = store;
    }

    /**
     * Applies one record, once: the store recognises a record it applied before (same partition, offset not
     * above the last applied, record not newer than that application) and changes nothing. Due-time limits
     * ({@code max-past}, {@code max-future}) are judged against the record's timestamp, so a valid command
     * that waited in the topic is applied, late, instead of parked.
     */
    public void apply(@Body byte[] value, Message message) {
        Long timestamp = message.getHeader(KafkaConstants.TIMESTAMP, Long.class);
        Instant producedAt = timestamp == null || timestamp <= 0 ? null : Instant.ofEpochMilli(timestamp);
        Command command = parser.parseCommand(value, producedAt);
        CommandSource source = new CommandSource(message.getHeader(KafkaConstants.TOPIC) + "-"
                + message.getHeader(KafkaConstants.PARTITION), message.getHeader(KafkaConstants.OFFSET, 0L, Long.class),
                producedAt == null ? Long.MAX_VALUE : producedAt.toEpochMilli());
        if (command instanceof Command.Schedule schedule) {
            store.schedule(schedule.reminder(), source);
        } else if (command instanceof Command.Cancel cancel) {
            store.cancel(cancel.id(), source);
        }
    }

    /** Marks the record with why it is parked and where it came from; the value is kept byte for byte. */
    public void markParked(Exchange exchange) {
        InvalidReminderException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, InvalidReminderException.class);
        Message message = exchange.getMessage();
        String where = message.getHeader(KafkaConstants.TOPIC) + "-" + message.getHeader(KafkaConstants.PARTITION)
                + "@" + message.getHeader(KafkaConstants.OFFSET);
        LOG.warn("Parking command {}: {}", where, e.getMessage());
        message.setHeader(PARK_REASON, e.getMessage());
        message.setHeader(PARK_FIELD, e.field() == null ? "" : e.field());
        message.setHeader(SOURCE_TOPIC, String.valueOf(message.getHeader(KafkaConstants.TOPIC)));
        message.setHeader(SOURCE_PARTITION, String.valueOf(message.getHeader(KafkaConstants.PARTITION)));
        message.setHeader(SOURCE_OFFSET, String.valueOf(message.getHeader(KafkaConstants.OFFSET)));
    }

    /** Commits the record's offset once it is applied or parked, never before. */
    public void commit(Message message) {
        KafkaManualCommit commit = message.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }
}
