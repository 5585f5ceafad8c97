package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.delivery.DeliveryAcks;
import dev.reminderpush.delivery.DeliveryCircuit;
import dev.reminderpush.delivery.DeliveryGateway;
import dev.reminderpush.observability.ReminderMetrics;
import dev.reminderpush.store.ClaimResult;
import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.DispatchStore;
import dev.reminderpush.store.FleetClock;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.store.ShardHeads;
import dev.reminderpush.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The dispatch passes (routes/dispatch.camel.yaml): a poll tick or a wake-up walks the shards, from the shard
 * the shared counter picked (or a random one), and drains each that has something due: claim while claims
 * come back full (bounded by the tick budget and by how many messages may be in flight), merge per user,
 * and hand ready messages to the delivery routes. After each pass it plans the next wake-up: the earliest
 * due time it knows of ({@link DueHints}) or the end of a merge window.
 */
@Component("dispatcher")
public class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** How long a graceful stop waits for messages in flight before it gives the rest back. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** How soon to look again at a shard another instance is draining. */
    private static final long BUSY_RETRY_MILLIS = 100;

    private final DispatchStore store;
    private final DeliveryGateway gateway;
    private final DeliveryCircuit circuit;
    private final ClaimingSwitch claiming;
    private final ReminderMetrics metrics;
    private final ReminderProperties.Dispatch settings;
    private final Clock clock;
    private final FleetClock fleetClock;
    private final String owner;
    private final MergeBuffer merge;
    private final HeldClaims held;
    private final DeliveryAcks acks;
    private final LeaseRenewer renewer;
    private final AtomicLong claimSequence = new AtomicLong();
    private final ReentrantLock tickLock = new ReentrantLock();
    private final ShardHeads heads;
    private final DueHints hints;
    private final WakeUpTimer timer;
    private volatile long lastPassEnd;
    private volatile boolean wakeRequested;
    private volatile boolean stopping;

    public Dispatcher(DispatchStore store, DeliveryGateway gateway, DeliveryCircuit circuit, ClaimingSwitch claiming,
            ReminderMetrics metrics, ShardFunction shards, ReminderProperties properties, Clock clock, FleetClock fleetClock, InstanceId instanceId, HeldClaims held, DeliveryAcks acks,
            LeaseRenewer renewer, ShardHeads heads, WakeUpTimer timer) {
        this.store = store;
        this.gateway = gateway;
        this.circuit = circuit;
        this.claiming = claiming;
        this.metrics = metrics;
        this.settings = properties.dispatch();
        this.clock = clock;
        this.fleetClock = fleetClock;
        this.held = held;
        this.acks = acks;
        this.renewer = renewer;
        this.heads = heads;
        this.timer = timer;
        this.hints = new DueHints(shards.shardCount());
        if (settings.maxInFlight() < settings.batchSize()) {
            throw new IllegalStateException("reminders.dispatch.max-in-flight (" + settings.maxInFlight()
                    + ") must be at least reminders.dispatch.batch-size (" + settings.batchSize()
                    + "): the poller waits for room for a whole batch before it claims");
        }
        this.owner = instanceId.value();
        String defaultChannel = properties.delivery().defaultChannel();
        this.merge = new MergeBuffer(settings.mergeWindow().toMillis(), settings.pollIntervalMs() + settings.drainLease().toMillis(),
                r -> r.channel() == null ? defaultChannel : r.channel());
    }

    /**
     * A poll tick (Quartz, the safety net); {@code cursor} is the value of the shared INCR counter. Reads every
     * shard's earliest due time in one round trip, so nothing waits for a nudge that never came, then drains
     * the shards with something due.
     */
    public void tick(@Body long cursor) {
        if (stopping) {
            return;
        }
        // outside the lock: a long pass (a backlog) must not keep the hints from being corrected
        heads.refreshFleetClock();
        long[] marks = hints.marks();
        hints.learnAll(marks, heads.earliestDue(hints.shardCount()));
        wakeRequested = true; // if a pass runs now, it plans the next wake-up from what was just read
        if (!tickLock.tryLock()) {
            return;
        }
        try {
            wakeRequested = false;
            pass((int) Math.floorMod(cursor, (long) hints.shardCount()));
        } finally {
            unlockAndWakeIfAsked();
        }
    }

    /** A wake-up (route wake-up): something falls due about now, or a merge window closes. */
    public void wake() {
        if (stopping) {
            return;
        }
        wakeRequested = true; // before trying the lock: a pass holding it sees the flag when it unlocks
        if (!tickLock.tryLock()) {
            return;
        }
        try {
            wakeRequested = false;
            pass(ThreadLocalRandom.current().nextInt(hints.shardCount())); // instances waking together start apart
        } finally {
            unlockAndWakeIfAsked();
        }
    }

    private void unlockAndWakeIfAsked() {
        tickLock.unlock();
        if (wakeRequested && !stopping) {
            timer.wakeAt(clock.millis() + settings.wakeUpGap().toMillis());
        }
    }

    /**
     * A nudge from the write path (route wake-on-nudge): {@code <shard>|<due epoch millis>}, published when a
     * write gave a shard an earlier due time than it had. Wakes up for it unless a wake-up comes earlier.
     */
    public void nudge(@Body String message) {
        int bar = message == null ? -1 : message.indexOf('|');
        int shard;
        long due;
        try {
            shard = Integer.parseInt(message.substring(0, bar));
            due = Long.parseLong(message.substring(bar + 1));
        } catch (RuntimeException e) {
            LOG.debug("Ignoring a due-time nudge that is not <shard>|<due>: {}", message);
            return;
        }
        if (shard < 0 || shard >= hints.shardCount()) {
            return; // written with another shard count (the store refuses to start on such data)
        }
        hints.nudge(shard, due);
        if (!stopping) {
            timer.wakeAt(Math.max(due - fleetClock.offsetMillis(), lastPassEnd + settings.wakeUpGap().toMillis()));
        }
    }

    /** Drains the shards that have something due (or a merge window closing), starting at {@code first}. */
    private void pass(int first) {
        long deadline = clock.millis() + settings.tickBudget().toMillis();
        boolean claimingAllowed = !claiming.isPaused() && circuit.allowsClaiming() && !renewer.renewalRouteMissing()
                && !gateway.batchRouteMissing();
        if (claimingAllowed) {
            int count = hints.shardCount();
            for (int i = 0; i < count && !stopping && clock.millis() < deadline; i++) {
                int shard = (first + i) % count;
                long now = fleetClock.millis();
                if (hints.isDue(shard, now) || merge.windowClosesAt(shard) <= now) {
                    drain(shard, deadline);
                }
            }
        }
        send(merge.expired(fleetClock.millis()));
        lastPassEnd = clock.millis();
        planWakeUp(claimingAllowed);
    }

    /**
     * The next wake-up: the earliest due time known and the earliest window end (both only when claiming is
     * allowed: a pass could not drain for them), or the earliest hold end.
     */
    private void planWakeUp(boolean claimingAllowed) {
        long at = merge.nextHoldEnd();
        if (claimingAllowed) {
            at = Math.min(at, Math.min(hints.earliest(), merge.windowClosesAt()));
        }
        if (at != Long.MAX_VALUE && !stopping) {
            timer.wakeAt(Math.max(at - fleetClock.offsetMillis(), lastPassEnd + settings.wakeUpGap().toMillis()));
        }
    }

    /**
     * Drains one shard. Whatever way the drain ends (shard drained, tick budget spent, no room, the shard
     * taken over by another instance, Redis unavailable, any exception), nothing it claimed stays in the
     * merge buffer beyond the documented merge bound: only a drain that saw the shard empty may hold groups
     * for siblings, and then only until their hold runs out.
     */
    private void drain(int shard, long deadline) {
        boolean settled = false;
        try {
            settled = claimUntilDrained(shard, deadline);
        } catch (StoreUnavailableException e) {
            LOG.warn("Shard {}: claim failed, trying again next tick: {}", shard, e.getMessage());
            hints.postpone(shard, fleetClock.millis() + settings.pollIntervalMs()); // no wake-up loop while Redis is away
        } catch (RuntimeException e) {
            LOG.error("Shard {}: drain failed; what it claimed is sent now", shard, e);
            hints.postpone(shard, fleetClock.millis() + settings.pollIntervalMs());
        } finally {
            if (!settled) {
                send(merge.flush(shard));
            }
        }
    }

    /** Claims while claims come back full; true when the shard was drained and its groups settled. */
    private boolean claimUntilDrained(int shard, long deadline) {
        // one lease expiry for the claims of a drain (renewed later as one), while enough of it is left
        long leaseUntil = 0;
        while (true) {
            // wait for room for a whole batch: claiming in dribbles would cost a Redis call per few reminders
            int room = Math.min(settings.batchSize(), gateway.awaitRoom(merge.size() + settings.batchSize(), deadline) - merge.size());
            if (room <= 0) {
                return false; // in flight stays full until the tick budget ends: stop waiting for siblings
            }
            long mark = hints.mark(shard);
            ClaimResult result = store.claim(shard, new DispatchStore.ClaimRequest(room, settings.lease().toMillis(),
                    owner + ":" + claimSequence.incrementAndGet(), owner, settings.drainLease().toMillis(),
                    settings.mergeWindow().toMillis(), settings.lookAheadLimit(), leaseUntil,
                    settings.lease().toMillis() - settings.leaseRenewal().toMillis()));
            if (result.busy()) {
                // another instance drains it now (perhaps our drain lease ran out while we waited)
                hints.postpone(shard, result.now() + BUSY_RETRY_MILLIS);
                return false;
            }
            hints.learn(shard, mark, result.nextDue());
            leaseUntil = result.leaseUntil();
            held.hold(result.claimed(), result.leaseUntil());
            metrics.claimed(result.claimed().size());
            send(merge.add(shard, result.claimed()));
            if (!result.full()) {
                // settle at the claim's own time (Redis time): the look-ahead is relative to it, and a later
                // reading could close a window whose last sibling fell due between the claim and this line
                send(merge.settle(shard, result.now(), result.upcoming(), result.upcomingTruncated()));
                return true;
            }
            if (clock.millis() >= deadline) {
                return false; // the rest of this shard waits for the next tick
            }
            if (merge.size() >= 10L * settings.batchSize()) {
                send(merge.flush(shard));
            }
        }
    }

    /** Reminders claimed and waiting in memory for merge siblings. */
    public int waitingForSiblings() {
        return merge.size();
    }

    private void send(List<OutboundMessage> messages) {
        for (OutboundMessage message : messages) {
            if (spansClaims(message)) {
                expireTogether(message);
            }
        }
        gateway.send(messages); // one hand-off (and one Kafka exchange) for all of them
    }

    private static boolean spansClaims(OutboundMessage message) {
        String first = message.reminders().get(0).claimId();
        for (ClaimedReminder r : message.reminders()) {
            if (!r.claimId().equals(first)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A message merged from claims with different lease expiries (a group held across drains) gets one
     * expiry first: should this instance die, its reminders come back together and are merged again under
     * the same messageId.
     */
    private void expireTogether(OutboundMessage message) {
        try {
            renewer.align(message.reminders().get(0).shard(), message.reminders());
        } catch (RuntimeException e) {
            LOG.debug("Could not align the leases of message for user {}: {}", message.userId(), e.getMessage());
        }
    }

    /**
     * Graceful stop: no new claims; reminders still waiting for siblings go back to the due set at once;
     * messages in flight get up to {@link #STOP_GRACE} to finish; then everything still held (queued for
     * delivery, waiting for a retry, or still being sent) goes back to the due set too, so another instance
     * delivers it at once instead of after the lease. Runs before Camel stops its routes.
     */
    @EventListener(ContextClosedEvent.class)
    public void stop() {
        stopping = true;
        tickLock.lock();
        try {
            giveBack(merge.takeAll());
            gateway.awaitIdle(STOP_GRACE);
            try {
                acks.flush(); // what was delivered is acknowledged, not given back
            } catch (RuntimeException e) {
                LOG.warn("Could not acknowledge {} delivered reminders before stopping: {}", acks.pending(), e.getMessage());
            }
            List<ClaimedReminder> unfinished = new ArrayList<>();
            held.snapshot().values().forEach(unfinished::addAll);
            if (!unfinished.isEmpty()) {
                LOG.warn("Stopping with {} reminders not yet delivered: given back to be delivered by another instance "
                        + "(one still being sent may arrive twice, under the same messageId)", unfinished.size());
                giveBack(unfinished);
            }
        } finally {
            tickLock.unlock();
        }
    }

    private void giveBack(List<ClaimedReminder> reminders) {
        Map<Integer, List<ClaimedReminder>> byShard = new TreeMap<>();
        for (ClaimedReminder r : reminders) {
            byShard.computeIfAbsent(r.shard(), s -> new ArrayList<>()).add(r);
        }
        byShard.forEach((shard, claims) -> {
            try {
                store.release(shard, claims);
                held.forget(claims);
                heads.announceDue(shard, 0); // due again now: another instance takes them at once
            } catch (RuntimeException e) {
                LOG.warn("Could not give {} claimed reminders of shard {} back; their lease will: {}",
                        claims.size(), shard, e.getMessage());
            }
        });
    }
}
