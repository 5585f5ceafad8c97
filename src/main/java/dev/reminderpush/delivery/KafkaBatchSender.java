package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.KafkaProducer;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Step to-message-center-kafka-batch of route deliver-kafka-batch: sends the records of one batch exchange (one
 * per message, key the user id, value the message JSON) with the Kafka client of the endpoint
 * {@code kafka:<reminders.delivery.kafka.topic>?maxBlockMs=0} with the delivery timeouts of {@code reminders.delivery.kafka.*}
 * (every other option from {@code camel.component.kafka.*}),
 * and notes per position which records the broker acknowledged. The exchange goes on once the broker answered
 * for every record, on a thread of its own (never the producer's network thread).
 *
 * <p>Why not camel-kafka's own list mode: it builds a Camel message, a header map, a callback and a metadata
 * header per record, a quarter of the bundle's CPU in a burst. This step keeps one callback per record and
 * nothing else. {@code maxBlockMs=0}: a send never blocks the loop; without topic metadata or buffer room the record fails
 * at once, and the outcome step sends it alone (with the single-message route's retries).
 */
@Component("kafkaBatchSender")
public class KafkaBatchSender extends AsyncProcessorSupport implements AsyncProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchSender.class);

    private final CamelContext camel;
    private final CamelThreadPools pools;
    private final String uri;
    private volatile KafkaProducer producer;
    private volatile ExecutorService outcomes;

    public KafkaBatchSender(CamelContext camel, ReminderProperties properties, CamelThreadPools pools) {
        this.camel = camel;
        this.pools = pools;
        ReminderProperties.Delivery.Kafka kafka = properties.delivery().kafka();
        this.uri = "kafka:" + kafka.topic() + "?maxBlockMs=0&deliveryTimeoutMs=" + kafka.timeout().toMillis()
                + "&requestTimeoutMs=" + kafka.requestTimeout().toMillis();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        DeliveryBatch batch = exchange.getProperty(DeliveryGateway.BATCH, DeliveryBatch.class);
        Producer<Object, Object> client;
        batch.sender = true;
        try {
            client = client();
        } catch (RuntimeException e) { // nothing sent, the exchange goes on: the outcome step sends every record alone
            LOG.error("No Kafka client for the batch route; its {} records go alone", batch.values.size(), e);
            callback.done(true);
            return true;
        }
        String topic = producer.getEndpoint().getConfiguration().getTopic();
        List<String> values = batch.values;
        // one count per record and one for this loop, so the exchange goes on exactly once, after the last answer
        AtomicInteger unanswered = new AtomicInteger(values.size() + 1);
        Runnable answered = () -> {
            if (unanswered.decrementAndGet() == 0) {
                continueOnOutcomeThread(callback);
            }
        };
        for (int i = 0; i < values.size(); i++) {
            int position = i;
            try {
                client.send(new ProducerRecord<>(topic, batch.messages.get(i).userId(), values.get(i)), (metadata, failure) -> {
                    if (failure == null && metadata != null && metadata.hasOffset()) {
                        batch.brokerAcknowledged(position);
                    }
                    answered.run();
                });
            } catch (RuntimeException e) { // refused before it was queued (closed, serialization): it goes alone
                LOG.debug("Kafka refused a batch record at once, it goes alone: {}", e.getMessage());
                answered.run();
            }
        }
        if (unanswered.decrementAndGet() == 0) { // every answer came while sending (all refused at once)
            callback.done(true);
            return true;
        }
        return false;
    }

    private void continueOnOutcomeThread(AsyncCallback callback) {
        try {
            outcomes.execute(() -> callback.done(false));
        } catch (RuntimeException e) { // stopping: go on here
            callback.done(false);
        }
    }

    /**
     * With its route: creates the client and asks for the topic's metadata in the background (a send with
     * {@code maxBlockMs=0} fails while there is none), so the first batch does not go out record by record.
     */
    @Override
    protected void doStart() {
        Producer<Object, Object> client = client();
        try {
            client.partitionsFor(producer.getEndpoint().getConfiguration().getTopic());
        } catch (RuntimeException e) { // expected: the request is made, the answer comes later
            LOG.debug("Kafka topic metadata requested: {}", e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private Producer<Object, Object> client() {
        KafkaProducer started = producer;
        Producer<Object, Object> client = started == null ? null : started.getKafkaProducer();
        if (client == null) { // first use, or Camel stopped the producer (the context was stopped and started)
            synchronized (this) {
                started = producer;
                client = started == null ? null : started.getKafkaProducer();
                if (client == null) {
                    if (started != null) {
                        try {
                            camel.removeService(started);
                        } catch (Exception e) {
                            LOG.debug("Could not remove the stopped Kafka batch producer: {}", e.getMessage());
                        }
                    }
                    client = startClient().getKafkaProducer();
                }
            }
        }
        return client;
    }

    /** The endpoint's Camel producer creates the client (and its health check); Camel stops it with the context. */
    private KafkaProducer startClient() {
        try {
            KafkaEndpoint endpoint = camel.getEndpoint(uri, KafkaEndpoint.class);
            KafkaProducer created = (KafkaProducer) endpoint.createProducer();
            camel.addService(created, true, true);
            if (outcomes == null || outcomes.isShutdown()) {
                outcomes = pools.create(this, "kafka-batch-outcomes", "kafkaBatchOutcomesPool");
            }
            producer = created;
            return created;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Kafka client of " + uri, e);
        }
    }
}
