package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.delivery.DeliveryChannels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The routes a claim passes through before it is delivered or given up to its lease. Routes come from the
 * operator's copy of {@code routes/}: while one of them is missing or stopped, a claimed reminder could be held
 * (and its lease renewed) without ever being sent, so the dispatcher claims nothing and this says why, once.
 */
@Component
public class PipelineRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRoutes.class);

    /** Route id, and what goes wrong without it. */
    static final Map<String, String> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put("dispatch-pass", "routes/dispatch.camel.yaml: a pass could not run");
        REQUIRED.put("drain-shard", "routes/dispatch.camel.yaml: no shard could be drained");
        REQUIRED.put("hand-off", "routes/delivery.camel.yaml: claimed messages could not reach delivery");
        REQUIRED.put("deliver-messages", "routes/delivery.camel.yaml: claimed messages could not reach a channel");
        REQUIRED.put("deliver-kafka-batch", "routes/delivery.camel.yaml: Kafka messages could not be delivered");
        REQUIRED.put("renew-leases", "routes/dispatch.camel.yaml: a claim would be lost after one lease while it is still being delivered");
    }

    private final CamelContext camel;
    private final Map<String, String> required;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    private final List<String> channels;

    public PipelineRoutes(CamelContext camel, ReminderProperties properties) {
        this.camel = camel;
        this.channels = DeliveryChannels.routed(properties.delivery().channels());
        this.required = new LinkedHashMap<>(REQUIRED);
        if (properties.delivery().channels().contains("websocket")) {
            required.put("deliver-websocket-batch", "routes/push.camel.yaml: websocket channel messages could not reach "
                    + "the users' inboxes");
        }
        if (properties.delivery().http().batching()) {
            required.put("deliver-http-batch", "routes/delivery.camel.yaml: reminders.delivery.http.batch-url is set, "
                    + "and HTTP messages could not be delivered");
        }
    }

    /** True while a required route is missing or not started. */
    public boolean missing() {
        for (Map.Entry<String, String> route : required.entrySet()) {
            String id = route.getKey();
            ServiceStatus status = camel.getRoute(id) == null ? null : camel.getRouteController().getRouteStatus(id);
            if (status == null || !status.isStarted()) {
                if (reported.add(id)) {
                    LOG.error("The route {} is {} ({}), so this instance claims nothing. Copy routes/ from this release, "
                            + "start the route, or set reminders.dispatch.enabled=false", id, status == null ? "missing" : status, route.getValue());
                }
                return true;
            }
            if (reported.remove(id)) {
                LOG.info("The route {} runs again; claiming resumes", id);
            }
        }
        for (String channel : channels) {
            String uri = DeliveryChannels.endpointUri(channel);
            Route route = camel.getRoutes().stream().filter(r -> uri.equals(r.getEndpoint().getEndpointUri())).findFirst().orElse(null);
            ServiceStatus status = route == null ? null : camel.getRouteController().getRouteStatus(route.getRouteId());
            String key = "channel " + channel;
            if (status == null || !status.isStarted()) {
                if (reported.add(key)) {
                    LOG.error("Channel {} is in reminders.delivery.channels but no started route consumes from {} ({}), so this "
                            + "instance claims nothing. Add the channel's route (README \"Channels\"), start it, or take the "
                            + "channel out of the list", channel, uri, route == null ? "no such route" : route.getRouteId() + " is " + status);
                }
                return true;
            }
            if (reported.remove(key)) {
                LOG.info("Channel {} has its route {} again; claiming resumes", channel, route.getRouteId());
            }
        }
        return false;
    }
}
