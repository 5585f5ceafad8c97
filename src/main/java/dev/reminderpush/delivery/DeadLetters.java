package dev.reminderpush.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.HeldClaims;
import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.observability.ReminderMetrics;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.DispatchStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The dead-letter route's bean: a message that could not be delivered becomes dead letters, one per reminder. */
@Component("deadLetters")
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final DispatchStore store;
    private final ObjectMapper mapper;
    private final ReminderMetrics metrics;
    private final HeldClaims held;
    private final List<String> channels;

    public DeadLetters(DispatchStore store, ReminderMetrics metrics, HeldClaims held, ReminderProperties properties) {
        this.channels = properties.delivery().channels();
        this.store = store;
        this.mapper = new ObjectMapper(); // the stored record's JSON must be one line whatever spring.jackson.* says
        this.metrics = metrics;
        this.held = held;
    }

    /** Step store-dead-letter of route dead-letter: retries ran out, or the channel refused the message as such. */
    public void record(Exchange exchange) throws JsonProcessingException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        write(exchange.getProperty(DeliveryGateway.MESSAGE, OutboundMessage.class),
                DeliveryFailures.isPermanent(failure) ? "rejected" : "retries_exhausted",
                failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage(),
                exchange.getProperty(DeliveryGateway.FAILED_ATTEMPTS, 1, Integer.class));
    }

    /**
     * Step unknown-channel-to-dead-letter of route deliver: the reminder names a channel that is no longer in
     * {@code reminders.delivery.channels} (it was stored before the list changed). No attempt was made.
     */
    public void unknownChannel(Exchange exchange) throws JsonProcessingException {
        OutboundMessage message = exchange.getProperty(DeliveryGateway.MESSAGE, OutboundMessage.class);
        write(message, "unknown_channel", "channel \"" + message.channel() + "\" is not one of reminders.delivery.channels "
                + channels, 0);
    }

    private void write(OutboundMessage message, String reason, String error, int attempts) throws JsonProcessingException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("reason", reason);
        fields.put("error", error);
        fields.put("attempts", attempts);
        fields.put("channel", message.channel());
        fields.put("messageId", message.messageId());
        String json = mapper.writeValueAsString(fields);
        String failureFields = json.substring(1, json.length() - 1);

        List<DispatchStore.Failure> failures = message.reminders().stream()
                .map(r -> new DispatchStore.Failure(r, failureFields)).toList();
        int shard = message.reminders().get(0).shard(); // one user, one shard
        long written = store.deadLetter(shard, failures);
        held.forget(message.reminders());
        metrics.deadLettered(reason, written);
        LOG.warn("Dead-lettered message {} for user {} ({} reminders: {}) after {} attempts: {}", message.messageId(),
                message.userId(), failures.size(), message.reminders().stream().map(ClaimedReminder::id).toList(),
                attempts, error);
    }
}
