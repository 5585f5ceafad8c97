package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.store.Topics;
import java.util.List;
import java.util.Set;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/**
 * The channels of {@code reminders.delivery.channels}. Each is a route from {@code direct:deliver-<channel>}
 * (routes/delivery.camel.yaml for kafka and http, a route file of its own for any other), which the deliver route
 * calls with the rendered message and which ends with the {@code deliveryAcks} step.
 */
@Component("deliveryChannels")
public class DeliveryChannels {

    private final List<String> channels;

    /** Names whose {@code direct:deliver-<name>} the delivery routes use themselves. */
    static final Set<String> RESERVED = Set.of("batch", "messages", "http-batch", Topics.CHANNEL);

    public DeliveryChannels(ReminderProperties properties) {
        this.channels = List.copyOf(properties.delivery().channels());
        for (String channel : channels) {
            if (RESERVED.contains(channel)) {
                throw new IllegalStateException("reminders.delivery.channels: \"" + channel + "\" cannot be a channel, "
                        + "direct:deliver-" + channel + " is a route of routes/delivery.camel.yaml (reserved: " + RESERVED + ")");
            }
        }
    }

    /** The listed channels and the built-in one of topic broadcasts: each needs its route. */
    public static List<String> routed(List<String> channels) {
        List<String> all = new java.util.ArrayList<>(channels);
        all.add(Topics.CHANNEL);
        return all;
    }

    /** Predicate of route deliver: a reminder stored before its channel left the list cannot be sent anywhere. */
    public boolean isConfigured(@ExchangeProperty(DeliveryGateway.CHANNEL) String channel) {
        return channels.contains(channel) || Topics.CHANNEL.equals(channel);
    }

    /** The endpoint a channel's route consumes from. */
    public static String endpointUri(String channel) {
        return "direct://deliver-" + channel;
    }
}
