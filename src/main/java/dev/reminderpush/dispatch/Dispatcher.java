package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.delivery.DeliveryCircuit;
import dev.reminderpush.delivery.DeliveryGateway;
import dev.reminderpush.observability.ReminderMetrics;
import dev.reminderpush.store.ClaimResult;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.DispatchStore;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * One poller tick (routes/dispatch.camel.yaml): walk the shards starting at the shard the shared
 * counter picked, skip shards another instance is draining, and drain each: claim while claims come
 * back full (bounded by the tick budget and by how many messages may be in flight), merge per user,
 * and hand ready messages to the delivery route.
 */
@Component("dispatcher")
public class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final DispatchStore store;
    private final DeliveryGateway gateway;
    private final DeliveryCircuit circuit;
    private final ClaimingSwitch claiming;
    private final ReminderMetrics metrics;
    private final ShardFunction shards;
    private final ReminderProperties.Dispatch settings;
    private final Clock clock;
    private final String owner;
    private final MergeBuffer merge;
    private final AtomicLong claimSequence = new AtomicLong();
    private final ReentrantLock tickLock = new ReentrantLock();
    private volatile boolean stopping;

    public Dispatcher(DispatchStore store, DeliveryGateway gateway, DeliveryCircuit circuit, ClaimingSwitch claiming,
            ReminderMetrics metrics, ShardFunction shards, ReminderProperties properties, Clock clock, InstanceId instanceId) {
        this.store = store;
        this.gateway = gateway;
        this.circuit = circuit;
        this.claiming = claiming;
        this.metrics = metrics;
        this.shards = shards;
        this.settings = properties.dispatch();
        this.clock = clock;
        this.owner = instanceId.value();
        String defaultChannel = properties.delivery().defaultChannel();
        this.merge = new MergeBuffer(settings.mergeWindow().toMillis(), settings.pollIntervalMs() + settings.drainLease().toMillis(),
                r -> r.channel() == null ? defaultChannel : r.channel());
    }

    /** One tick; {@code cursor} is the value of the shared INCR counter. */
    public void tick(@Body long cursor) {
        if (stopping || !tickLock.tryLock()) {
            return;
        }
        try {
            long deadline = clock.millis() + settings.tickBudget().toMillis();
            if (!claiming.isPaused() && circuit.allowsClaiming()) {
                int count = shards.shardCount();
                int first = (int) Math.floorMod(cursor, (long) count);
                for (int i = 0; i < count && !stopping && clock.millis() < deadline; i++) {
                    drain((first + i) % count, deadline);
                }
            }
            send(merge.expired(clock.millis()));
        } finally {
            tickLock.unlock();
        }
    }

    private void drain(int shard, long deadline) {
        while (true) {
            // wait for room for a whole batch: claiming in dribbles would cost a Redis call per few reminders
            int room = Math.min(settings.batchSize(), gateway.awaitRoom(merge.size() + settings.batchSize(), deadline) - merge.size());
            if (room <= 0) {
                send(merge.flush(shard)); // in flight stays full until the tick budget ends: stop waiting for siblings
                return;
            }
            long now = clock.millis();
            ClaimResult result;
            try {
                result = store.claim(shard, new DispatchStore.ClaimRequest(now, room, now + settings.lease().toMillis(),
                        owner + ":" + claimSequence.incrementAndGet(), owner, settings.drainLease().toMillis(),
                        settings.mergeWindow().toMillis(), settings.lookAheadLimit()));
            } catch (StoreUnavailableException e) {
                LOG.warn("Shard {}: claim failed, trying again next tick: {}", shard, e.getMessage());
                send(merge.flush(shard));
                return;
            }
            if (result.busy()) {
                return;
            }
            metrics.claimed(result.claimed().size());
            send(merge.add(shard, result.claimed()));
            if (!result.full()) {
                // settle at the claim's "now": the look-ahead is relative to it, and a later clock could
                // close a window whose last sibling fell due between the claim and this line
                send(merge.settle(shard, now, result.upcoming(), result.upcomingTruncated()));
                return;
            }
            if (clock.millis() >= deadline || merge.size() >= 10L * settings.batchSize()) {
                send(merge.flush(shard)); // the rest of this shard waits for the next tick
                if (clock.millis() >= deadline) {
                    return;
                }
            }
        }
    }

    /** Reminders claimed and waiting in memory for merge siblings. */
    public int waitingForSiblings() {
        return merge.size();
    }

    private void send(List<OutboundMessage> messages) {
        for (OutboundMessage message : messages) {
            gateway.send(message);
        }
    }

    /**
     * Graceful stop: no new claims, reminders still waiting for siblings go back to the due set, messages in
     * flight get a moment to finish. Runs before Camel stops its routes.
     */
    @EventListener(ContextClosedEvent.class)
    public void stop() {
        stopping = true;
        tickLock.lock();
        try {
            List<ClaimedReminder> waiting = merge.takeAll();
            Map<Integer, List<ClaimedReminder>> byShard = new TreeMap<>();
            for (ClaimedReminder r : waiting) {
                byShard.computeIfAbsent(r.shard(), s -> new ArrayList<>()).add(r);
            }
            byShard.forEach((shard, reminders) -> {
                try {
                    store.release(shard, reminders);
                } catch (RuntimeException e) {
                    LOG.warn("Could not give {} claimed reminders of shard {} back; their lease will: {}",
                            reminders.size(), shard, e.getMessage());
                }
            });
            gateway.awaitIdle(Duration.ofSeconds(10));
        } finally {
            tickLock.unlock();
        }
    }
}
