package dev.reminderpush.push;

import dev.reminderpush.delivery.DeliveryGateway;
import dev.reminderpush.dispatch.OutboundMessage;
import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.Topics;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * Step to-user-inbox of route deliver-websocket: the message enters its user's inbox (once per messageId) and is
 * published to the instances holding the user's connections. The reminders count as delivered once it is in the
 * inbox; a failure (Redis away) throws, so the route's retries and dead letters apply.
 */
@Component("userInboxes")
public class UserInboxes {

    private final InboxStore inbox;

    public UserInboxes(InboxStore inbox) {
        this.inbox = inbox;
    }

    public void append(@Body String json, @ExchangeProperty(DeliveryGateway.MESSAGE) OutboundMessage message) {
        inbox.append(message.userId(), message.messageId(), json);
    }

    /** Step to-topic-subscribers of route deliver-broadcast: the message of a topic's broadcast, to every instance. */
    public void broadcast(@Body String json, @ExchangeProperty(DeliveryGateway.MESSAGE) OutboundMessage message) {
        String topic = Topics.topicOf(message.userId());
        if (topic == null) {
            throw new IllegalStateException("not a broadcast: user " + message.userId());
        }
        inbox.broadcast(topic, message.messageId(), json);
    }
}
