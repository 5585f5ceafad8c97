package dev.reminderpush.delivery;

import dev.reminderpush.observability.ReminderMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/** Called by the delivery error handler before every retry (its onRedelivery hook): counts retries. */
@Component("deliveryRetries")
public class DeliveryRetries implements Processor {

    private final ReminderMetrics metrics;

    public DeliveryRetries(ReminderMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        metrics.retried();
    }
}
