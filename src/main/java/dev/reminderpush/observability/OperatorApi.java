package dev.reminderpush.observability;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.delivery.DeliveryCircuit;
import dev.reminderpush.dispatch.ClaimingSwitch;
import dev.reminderpush.dispatch.InstanceId;
import dev.reminderpush.ingest.ApiReplies;
import dev.reminderpush.store.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * The operator API behind the console (routes/operator-api.camel.yaml): the overview, and pausing or resuming
 * claiming on the instance that answers (like the JMX operations of {@link OperatorMBean}).
 */
@Component
public class OperatorApi {

    /** One shard's backlog, from the last refresh of the backlog gauges. */
    public record Shard(int shard, long overdue, long scheduled, long inFlight, long dead) {}

    public record Totals(long overdue, long scheduled, long inFlight, long dead, double oldestOverdueSeconds) {}

    /** What the console's overview shows. {@code asOf}: when the shard figures were read (Redis time). */
    public record Overview(String instance, boolean claimingPaused, boolean circuitOpen, boolean dispatching,
            Instant asOf, Totals totals, List<Shard> shards, List<FleetRegistry.Instance> instances,
            List<ConsoleHistory.Sample> history) {}

    public record Claiming(String instance, boolean claimingPaused) {}

    private final BacklogGauges backlog;
    private final FleetRegistry fleet;
    private final ConsoleHistory history;
    private final ClaimingSwitch claiming;
    private final DeliveryCircuit circuit;
    private final ApiReplies replies;
    private final String instance;
    private final boolean dispatching;

    public OperatorApi(BacklogGauges backlog, FleetRegistry fleet, ConsoleHistory history, ClaimingSwitch claiming,
            DeliveryCircuit circuit, ApiReplies replies, InstanceId instanceId, ReminderProperties properties) {
        this.backlog = backlog;
        this.fleet = fleet;
        this.history = history;
        this.claiming = claiming;
        this.circuit = circuit;
        this.replies = replies;
        this.instance = instanceId.value();
        this.dispatching = properties.dispatch().enabled();
    }

    public void overview(Message message) {
        BacklogGauges.Snapshot snapshot = backlog.snapshot();
        if (snapshot == null) { // the first second after a start: read it now (refresh is synchronized)
            backlog.refresh();
            snapshot = backlog.snapshot();
            if (snapshot == null) {
                throw new StoreUnavailableException("the backlog could not be read from Redis", null);
            }
        }
        List<Shard> shards = new ArrayList<>();
        for (int shard = 0; shard < snapshot.shards().length; shard++) {
            long[] figures = snapshot.shards()[shard];
            shards.add(new Shard(shard, figures[0], figures[1], figures[2], figures[3]));
        }
        long[] t = snapshot.totals();
        List<FleetRegistry.Instance> instances;
        try {
            instances = fleet.instances();
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("the instances could not be read from Redis", e);
        }
        replies.json(message, 200, new Overview(instance, claiming.isPaused(), circuit.isOpen(), dispatching,
                Instant.ofEpochMilli(snapshot.redisMillis()), new Totals(t[0], t[1], t[2], t[3], snapshot.oldestOverdueSeconds()),
                shards, instances, history.samples()));
    }

    public void pause(Message message) {
        claiming.pause();
        replies.json(message, 200, new Claiming(instance, true));
    }

    public void resume(Message message) {
        claiming.resume();
        replies.json(message, 200, new Claiming(instance, false));
    }
}
