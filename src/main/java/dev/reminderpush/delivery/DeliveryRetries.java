package dev.reminderpush.delivery;

import dev.reminderpush.dispatch.HeldClaims;
import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.observability.ReminderMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Called by the delivery error handler before every retry (its onRedelivery hook): counts retries, and stops
 * the retries of a message whose claims this instance no longer holds (given back on a graceful stop, or
 * lost after a lease expiry): another instance delivers those, and a retry here would send them twice.
 */
@Component("deliveryRetries")
public class DeliveryRetries implements Processor {

    private final ReminderMetrics metrics;
    private final HeldClaims held;

    public DeliveryRetries(ReminderMetrics metrics, HeldClaims held) {
        this.metrics = metrics;
        this.held = held;
    }

    @Override
    public void process(Exchange exchange) {
        OutboundMessage message = exchange.getProperty(DeliveryGateway.MESSAGE, OutboundMessage.class);
        if (message != null && !held.holdsAny(message.reminders())) {
            exchange.setRouteStop(true);
            return;
        }
        metrics.retried();
    }
}
