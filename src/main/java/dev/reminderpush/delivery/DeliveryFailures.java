package dev.reminderpush.delivery;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.springframework.stereotype.Component;

/**
 * Which delivery failures no retry can fix: an HTTP message center answering 4xx other than 408
 * (request timeout) and 429 (too many requests) rejected the message itself, and Kafka refusing a record
 * as too large or unserializable would refuse it again. Everything else (5xx, 408, 429, timeouts,
 * connection errors, other Kafka errors) is worth retrying.
 */
@Component("deliveryFailures")
public class DeliveryFailures {

    public boolean isPermanent(Exchange exchange) {
        Throwable failure = exchange.getException() != null
                ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return isPermanent(failure);
    }

    public static boolean isPermanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                    || t instanceof SerializationException) {
                return true;
            }
            if (t instanceof HttpOperationFailedException http) {
                int status = http.getStatusCode();
                return status >= 400 && status < 500 && status != 408 && status != 429;
            }
        }
        return false;
    }
}
