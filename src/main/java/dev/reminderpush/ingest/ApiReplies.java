package dev.reminderpush.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.store.StoreUnavailableException;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes API answers: a status code and a JSON body, nothing else. The error methods are called from the
 * {@code api-errors} route configuration (routes/reminders-api.camel.yaml).
 */
@Component("apiReplies")
public class ApiReplies {

    private static final Logger LOG = LoggerFactory.getLogger(ApiReplies.class);

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApiError(String error, String field, String message) {}

    private final ObjectMapper mapper;

    public ApiReplies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public void json(Message message, int status, Object body) {
        // request headers (path parameters, client headers) must not echo back as response headers
        message.removeHeaders("*", Exchange.HTTP_RESPONSE_CODE);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (body == null) {
            message.setBody(null);
            return;
        }
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            message.setBody(mapper.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render API answer", e);
        }
    }

    public void badRequest(Exchange exchange) {
        InvalidReminderException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, InvalidReminderException.class);
        json(exchange.getMessage(), 400, new ApiError(e.error(), e.field(), e.getMessage()));
    }

    public void unavailable(Exchange exchange) {
        StoreUnavailableException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, StoreUnavailableException.class);
        LOG.warn("{} {} answered 503: {}", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                exchange.getMessage().getHeader(Exchange.HTTP_URI), e.getMessage());
        json(exchange.getMessage(), 503, new ApiError("store_unavailable", null,
                "the reminder store (Redis) is unavailable; nothing was changed, retry later"));
        exchange.getMessage().setHeader("Retry-After", "1");
    }

    public void internalError(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String incident = UUID.randomUUID().toString();
        LOG.error("incident {}: {} {} failed", incident, exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                exchange.getMessage().getHeader(Exchange.HTTP_URI), e);
        json(exchange.getMessage(), 500, new ApiError("internal_error", null,
                "unexpected error, logged as incident " + incident));
    }
}
