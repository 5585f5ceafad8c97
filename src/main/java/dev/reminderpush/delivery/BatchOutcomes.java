package dev.reminderpush.delivery;

import dev.reminderpush.dispatch.OutboundMessage;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.stereotype.Component;

/**
 * The last step of the Kafka batch route (routes/delivery.camel.yaml, {@code deliver-kafka-batch}): the
 * records the broker acknowledged (an offset in their record metadata) are acknowledged in Redis; every other
 * record (refused, timed out, never sent because the batch failed early) goes again alone through
 * {@code direct:deliver}, where the channel's retries and dead-letter rules apply. A record the broker took is
 * never sent again.
 */
@Component("batchOutcomes")
public class BatchOutcomes implements Processor {

    public enum Outcome { ACKNOWLEDGED, SENT_ALONE }

    private final DeliveryAcks acks;
    private final DeliveryGateway gateway;

    public BatchOutcomes(DeliveryAcks acks, DeliveryGateway gateway) {
        this.acks = acks;
        this.gateway = gateway;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        List<OutboundMessage> messages = exchange.getProperty(DeliveryGateway.MESSAGES, List.class);
        List<Message> records = exchange.getProperty(DeliveryGateway.RECORDS, List.class);
        Outcome[] outcomes = exchange.getProperty(DeliveryGateway.OUTCOMES, Outcome[].class);
        for (int i = 0; i < messages.size(); i++) {
            if (tookIt(records.get(i))) {
                outcomes[i] = Outcome.ACKNOWLEDGED;
                acks.delivered(messages.get(i));
            } else {
                outcomes[i] = Outcome.SENT_ALONE;
                gateway.deliverAlone(messages.get(i));
            }
        }
    }

    /** The broker acknowledged the record: camel-kafka put its metadata, with an offset, on the record's message. */
    private static boolean tookIt(Message record) {
        List<?> metadata = record.getHeader(KafkaConstants.KAFKA_RECORD_META, List.class);
        return metadata != null && !metadata.isEmpty() && metadata.get(0) instanceof RecordMetadata m && m.hasOffset();
    }
}
