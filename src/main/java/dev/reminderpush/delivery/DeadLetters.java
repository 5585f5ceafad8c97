package dev.reminderpush.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    public DeadLetters(DispatchStore store, ReminderMetrics metrics, HeldClaims held) {
        this.store = store;
        this.mapper = new ObjectMapper(); // the stored record's JSON must be one line whatever spring.jackson.* says
        this.metrics = metrics;
        this.held = held;
    }

    public void record(Exchange exchange) throws JsonProcessingException {
        OutboundMessage message = exchange.getProperty(DeliveryGateway.MESSAGE, OutboundMessage.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int attempts = exchange.getProperty(DeliveryGateway.FAILED_ATTEMPTS, 1, Integer.class);
        boolean permanent = DeliveryFailures.isPermanent(failure);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("reason", permanent ? "rejected" : "retries_exhausted");
        fields.put("error", failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage());
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
        metrics.deadLettered((String) fields.get("reason"), written);
        LOG.warn("Dead-lettered message {} for user {} ({} reminders: {}) after {} attempts: {}", message.messageId(),
                message.userId(), failures.size(), message.reminders().stream().map(ClaimedReminder::id).toList(),
                attempts, fields.get("error"));
    }
}
