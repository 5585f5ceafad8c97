package dev.reminderpush.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The last step of route {@code deliver-http-batch}: the messages the center listed as accepted
 * ({@code {"accepted":["<messageId>",...]}} in a 2xx answer) are acknowledged in Redis; every other message (not
 * listed, or the call failed, timed out or answered anything else) goes alone through {@code direct:deliver} to
 * {@code reminders.delivery.http.url}, where the channel's retries and dead-letter rules apply. A message the
 * center accepted is never sent again by this instance.
 */
@Component("httpBatchOutcomes")
public class HttpBatchOutcomes implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(HttpBatchOutcomes.class);

    private final DeliveryAcks acks;
    private final DeliveryGateway gateway;
    private final ObjectMapper mapper;

    public HttpBatchOutcomes(DeliveryAcks acks, DeliveryGateway gateway, ObjectMapper mapper) {
        this.acks = acks;
        this.gateway = gateway;
        this.mapper = mapper;
    }

    @Override
    public void process(Exchange exchange) {
        DeliveryBatch batch = exchange.getProperty(DeliveryGateway.BATCH, DeliveryBatch.class);
        Set<String> accepted = accepted(exchange);
        batch.sort(i -> accepted.contains(batch.messages.get(i).messageId()), acks::delivered, gateway::sendAlone);
    }

    private Set<String> accepted(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (failure != null) {
            LOG.debug("HTTP batch call failed; its messages go alone: {}", failure.getMessage());
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        try {
            JsonNode list = mapper.readTree(exchange.getMessage().getBody(String.class)).path("accepted");
            if (!list.isArray()) {
                throw new IllegalArgumentException("no \"accepted\" array");
            }
            list.forEach(id -> {
                if (id.isTextual()) {
                    ids.add(id.asText());
                }
            });
        } catch (Exception e) { // a 2xx without the contract's body: nothing counts as accepted
            LOG.warn("HTTP batch answer is not {\"accepted\":[messageIds]}; its messages go alone: {}", e.getMessage());
            return Set.of();
        }
        return ids;
    }
}
