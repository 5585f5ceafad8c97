package dev.reminderpush.delivery;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * The last step of the Kafka batch route (routes/delivery.camel.yaml, {@code deliver-kafka-batch}) and of the
 * websocket channel's (routes/push.camel.yaml, {@code deliver-websocket-batch}): the messages the channel took (the
 * broker acknowledged the record: {@link KafkaBatchSender}; it is in the user's inbox: {@link InboxBatchSender}) are
 * acknowledged in Redis; every other one (refused, timed out, never sent because the batch failed early) goes again
 * alone through {@code direct:deliver}, where the channel's retries and dead-letter rules apply. A message the
 * channel took is never sent again.
 */
@Component("batchOutcomes")
public class BatchOutcomes implements Processor {

    private final DeliveryAcks acks;
    private final DeliveryGateway gateway;

    public BatchOutcomes(DeliveryAcks acks, DeliveryGateway gateway) {
        this.acks = acks;
        this.gateway = gateway;
    }

    @Override
    public void process(Exchange exchange) {
        DeliveryBatch batch = exchange.getProperty(DeliveryGateway.BATCH, DeliveryBatch.class);
        if (!batch.sender) {
            // sending them alone could send each twice: the batch's fate is unknown, so the leases decide
            throw new IllegalStateException("the batch route of channel " + exchange.getProperty(DeliveryGateway.CHANNEL)
                    + " did not send through its sender step (routes/ from an older version?); its " + batch.messages.size()
                    + " messages are redelivered after their lease");
        }
        batch.sort(batch::brokerTook, acks::delivered, gateway::sendAlone);
    }
}
