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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The steps of a dispatch pass (routes/dispatch.camel.yaml: poll-shards and wake-up start a pass, dispatch-pass
 * walks the shards from the shard the shared counter picked (or a random one), drain-shard drains each that has
 * something due). A drain claims while claims come back full, bounded by the tick budget and by how many
 * messages may be in flight, and merges per user; the routes hand ready messages to delivery. At the end of a
 * pass it plans the next wake-up: the earliest due time it knows of ({@link DueHints}) or the end of a merge
 * window. The pass state travels with the exchange ({@link DispatchPass}); one pass runs at a time.
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
    private final long flushAt;
    private final DispatchStore.LaneShares laneShares;
    private final HeldClaims held;
    private final DeliveryAcks acks;
    private final LeaseRenewer renewer;
    private final AtomicLong claimSequence = new AtomicLong();
    /** One pass at a time; released by the pass's last step, which may run on another thread than its first. */
    private final Semaphore passPermit = new Semaphore(1);
    private final PipelineRoutes routes;
    private final ShardHeads heads;
    private final DueHints hints;
    private final ShardFunction shards;
    private final WakeUpTimer timer;
    private volatile long lastPassEnd;
    private volatile boolean wakeRequested;
    private volatile boolean stopping;

    public Dispatcher(DispatchStore store, DeliveryGateway gateway, DeliveryCircuit circuit, ClaimingSwitch claiming,
            ReminderMetrics metrics, ShardFunction shards, ReminderProperties properties, Clock clock, FleetClock fleetClock, InstanceId instanceId, HeldClaims held, DeliveryAcks acks,
            LeaseRenewer renewer, ShardHeads heads, WakeUpTimer timer, PipelineRoutes routes) {
        this.routes = routes;
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
        this.shards = shards;
        this.hints = new DueHints(shards.shardCount());
        if (settings.maxInFlight() < settings.batchSize()) {
            throw new IllegalStateException("reminders.dispatch.max-in-flight (" + settings.maxInFlight()
                    + ") must be at least reminders.dispatch.batch-size (" + settings.batchSize()
                    + "): the poller waits for room for a whole batch before it claims");
        }
        // full claims are handed off once the merge buffer holds this many: never so late that the buffer alone
        // fills the room claimAgain waits for (with a small max-in-flight the pass would wait for itself)
        this.flushAt = Math.min(10L * settings.batchSize(), settings.maxInFlight() - settings.batchSize());
        this.laneShares = settings.lanes().shares();
        this.owner = instanceId.value();
        String defaultChannel = properties.delivery().defaultChannel();
        this.merge = new MergeBuffer(settings.mergeWindow().toMillis(), settings.pollInterval().toMillis() + settings.drainLease().toMillis(),
                r -> r.channel() == null ? defaultChannel : r.channel());
    }

    /**
     * A poll tick (Quartz, the safety net); {@code cursor} is the value of the shared INCR counter. Reads every
     * shard's earliest due time in one round trip, so nothing waits for a nudge that never came, and starts a
     * pass at the counter's shard: the pass to run (route dispatch-pass; step begin-pass decides whether it may), or null
     * when stopping.
     */
    public DispatchPass tick(@Body long cursor) {
        if (stopping) {
            return null;
        }
        // before any pass permit: a long pass (a backlog) must not keep the hints from being corrected
        heads.refreshFleetClock();
        hints.resize(shards.shardCount()); // the layout may have changed (online resharding)
        long[] marks = hints.marks();
        ShardHeads.DueHeads due = heads.dueHeads(marks.length);
        hints.learnAll(marks, due.earliest(), due.high());
        wakeRequested = true; // if a pass runs now, it plans the next wake-up from what was just read
        return new DispatchPass((int) Math.floorMod(cursor, (long) hints.shardCount()));
    }

    /**
     * A wake-up (route wake-up): something falls due about now, or a merge window closes. The pass to run, or
     * null when stopping (step begin-pass leaves it empty while another pass runs; that one wakes up again when it ends).
     */
    public DispatchPass wake() {
        if (stopping) {
            return null;
        }
        wakeRequested = true; // before trying the permit: a pass holding it sees the flag when it ends
        return new DispatchPass(ThreadLocalRandom.current().nextInt(hints.shardCount())); // instances waking together start apart
    }

    /**
     * Step begin-pass: takes the pass permit (one pass at a time), or leaves the pass empty when another pass
     * runs (that one plans a wake-up when it ends). Without its routes a pass claims nothing: it could strand
     * what it claims; it still sends the merge groups whose hold runs out.
     */
    public void begin(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass) {
        if (stopping || !passPermit.tryAcquire()) {
            return;
        }
        pass.permitted = true;
        wakeRequested = false;
        pass.claimingAllowed = !claiming.isPaused() && circuit.allowsClaiming() && !routes.missing();
        pass.deadline = clock.millis() + settings.tickBudget().toMillis();
    }

    /**
     * A nudge from the write path (route wake-on-nudge): {@code <shard>|<due epoch millis>}, published when a
     * write gave a shard an earlier due time than it had, with {@code |high} when its high lane got it. Wakes up
     * for it unless a wake-up comes earlier.
     */
    public void nudge(@Body String message) {
        String[] parts = message == null ? new String[0] : message.split("\\|", -1);
        int shard;
        long due;
        try {
            shard = Integer.parseInt(parts[0]);
            due = Long.parseLong(parts[1]);
        } catch (RuntimeException e) {
            LOG.debug("Ignoring a due-time nudge that is not <shard>|<due>[|high]: {}", message);
            return;
        }
        if (shard < 0) {
            return;
        }
        hints.resize(shards.shardCount()); // a nudge may come from a shard a migration just opened
        hints.nudge(shard, due, parts.length > 2 && "high".equals(parts[2]));
        if (!stopping) {
            timer.wakeAt(Math.max(due - fleetClock.offsetMillis(), lastPassEnd + settings.wakeUpGap().toMillis()));
        }
    }

    /**
     * Loop condition of route dispatch-pass: moves the pass to the next shard that has something due (or a
     * merge window closing); false when the walk is over (every shard seen, the tick budget spent, stopping).
     * Turns alternate: a shard whose high lane is due gets one claim out of turn, then the walk goes on, so
     * high reminders do not wait for another shard's backlog and no shard's high flood holds up the walk.
     */
    public boolean nextShard(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass, Exchange exchange) {
        if (!pass.permitted || !pass.claimingAllowed || exchange.isFailed()) {
            return false;
        }
        if (!pass.walkOwed && !stopping && clock.millis() < pass.deadline) {
            // not a walk shard that just gave way: the walk comes back to it next anyway
            int preferred = hints.highDue(fleetClock.millis(), pass.gaveWay);
            if (preferred >= 0) {
                pass.startDrain(preferred, true);
                return true;
            }
        }
        pass.walkOwed = false;
        int count = hints.shardCount();
        for (int shard = pass.nextPosition(count); shard >= 0 && !stopping && clock.millis() < pass.deadline;
                shard = pass.nextPosition(count)) {
            long now = fleetClock.millis();
            if (hints.isDue(shard, now) || merge.windowClosesAt(shard) <= now) {
                pass.startDrain(shard, false);
                return true;
            }
        }
        return false;
    }

    /**
     * Loop condition of route drain-shard: claim again unless the drain is over. Waits (within the tick budget)
     * for room for a whole batch: claiming in dribbles would cost a Redis call per few reminders.
     */
    public boolean claimAgain(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass, Exchange exchange) {
        if (pass.over || exchange.isFailed()) {
            return false;
        }
        if (pass.claims > 0 && (pass.preferred || hints.highDue(fleetClock.millis(), pass.shard) >= 0)) {
            // one claim out of turn; a walk drain gives way to another shard's high lane and comes back next
            if (!pass.preferred) {
                pass.revisit();
            }
            return false;
        }
        int room = Math.min(settings.batchSize(), gateway.awaitRoom(merge.size() + settings.batchSize(), pass.deadline) - merge.size());
        if (room <= 0) {
            pass.over = true; // in flight stays full until the tick budget ends: stop waiting for siblings
            return false;
        }
        pass.room = room;
        return true;
    }

    /** Step claim-batch: claim.lua moves up to {@code room} due reminders of the pass's shard in flight, under a lease. */
    public ClaimResult claim(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass) {
        int shard = pass.shard;
        long mark = hints.mark(shard);
        // one lease expiry for the claims of a drain (renewed later as one), while enough of it is left
        ClaimResult result = store.claim(shard, new DispatchStore.ClaimRequest(pass.room, settings.lease().toMillis(),
                owner + ":" + claimSequence.incrementAndGet(), owner, settings.drainLease().toMillis(),
                settings.mergeWindow().toMillis(), settings.lookAheadLimit(), pass.leaseUntil,
                settings.lease().toMillis() - settings.leaseRenewal().toMillis(), laneShares, pass.preferred));
        if (result.busy()) {
            // another instance drains it now (perhaps our drain lease ran out while we waited)
            hints.postpone(shard, result.now() + BUSY_RETRY_MILLIS);
            // and no out-of-turn claims against its drain for one drain lease
            hints.postponeHigh(shard, result.now() + settings.drainLease().toMillis());
            pass.over = true;
            return result;
        }
        hints.learn(shard, mark, result.nextDue(), result.nextHigh());
        pass.claims++;
        pass.leaseUntil = result.leaseUntil();
        held.hold(result.claimed(), result.leaseUntil());
        metrics.claimed(result.claimed().size());
        return result;
    }

    /**
     * Step merge-per-user: adds what a claim brought to the shard's merge groups; the messages ready to go.
     * When the claim was not full the shard is drained and its groups are settled: those with siblings due
     * within the window wait for them, the others are ready.
     */
    public List<OutboundMessage> merge(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass, @Body ClaimResult result) {
        if (result.busy()) {
            return List.of();
        }
        List<OutboundMessage> ready = merge.add(pass.shard, result.claimed());
        if (!result.full()) {
            // settle at the claim's own time (Redis time): the look-ahead is relative to it, and a later
            // reading could close a window whose last sibling fell due between the claim and this line
            ready = DispatchPass.concat(ready, merge.settle(pass.shard, result.now(), result.upcoming(), result.upcomingTruncated()));
            pass.drained = true;
            pass.over = true;
        } else if (clock.millis() >= pass.deadline) {
            pass.over = true; // the rest of this shard waits for the next pass
        } else if (merge.size() >= flushAt) {
            ready = DispatchPass.concat(ready, merge.flush(pass.shard));
        }
        return pass.offer(aligned(ready));
    }

    /** Step of a failed claim while Redis is unavailable: the shard is tried again after one poll interval. */
    public void claimFailed(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        LOG.warn("Shard {}: claim failed, trying again next tick: {}", pass.shard, failure.getMessage());
        hints.postpone(pass.shard, fleetClock.millis() + settings.pollInterval().toMillis()); // no wake-up loop while Redis is away
        pass.over = true;
    }

    /** Step of a drain that failed any other way: what it claimed is sent now (step settle-shard). */
    public void drainFailed(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        LOG.error("Shard {}: drain failed; what it claimed is sent now", pass.shard, failure);
        hints.postpone(pass.shard, fleetClock.millis() + settings.pollInterval().toMillis());
        pass.over = true;
    }

    /**
     * Step settle-shard, however the drain ended (shard drained, tick budget spent, no room, the shard taken over
     * by another instance, Redis unavailable, any exception): nothing it claimed stays in the merge buffer beyond
     * the documented merge bound. Only a drain that saw the shard empty may hold groups for siblings, and then
     * only until their hold runs out; any other drain sends all of its shard's groups now.
     */
    public List<OutboundMessage> endDrain(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass) {
        List<OutboundMessage> rest = pass.drained ? List.of() : aligned(merge.flush(pass.shard));
        return pass.offer(DispatchPass.concat(pass.takeUnhanded(), rest)); // a hand-off in the drain failed: one more try
    }

    /**
     * Step end-pass (always, however the pass ended): the groups whose hold ran out are ready (with anything a
     * failed hand-off left); plans the next wake-up (the earliest due time known and the earliest window end,
     * both only when claiming is allowed, or the earliest hold end).
     */
    public List<OutboundMessage> endPass(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass) {
        if (!pass.permitted) {
            return List.of();
        }
        List<OutboundMessage> expired = aligned(merge.expired(fleetClock.millis()));
        expired = pass.offer(DispatchPass.concat(pass.takeUnhanded(), expired));
        lastPassEnd = clock.millis();
        long at = merge.nextHoldEnd();
        if (pass.claimingAllowed) {
            at = Math.min(at, Math.min(hints.earliest(), merge.windowClosesAt()));
        }
        if (at != Long.MAX_VALUE && !stopping) {
            timer.wakeAt(Math.max(at - fleetClock.offsetMillis(), lastPassEnd + settings.wakeUpGap().toMillis()));
        }
        return expired;
    }

    /**
     * Step release-pass, the very last of a pass (once): messages that never reached the hand-off (route hand-off
     * stopped or failing) are given up to their leases, not held and renewed without being sent; then the next
     * pass may start.
     */
    public void releasePass(@ExchangeProperty(DispatchPass.PROPERTY) DispatchPass pass) {
        List<OutboundMessage> unhanded = pass.takeUnhanded();
        if (!unhanded.isEmpty()) {
            LOG.error("{} messages could not be handed off to delivery (is route hand-off running?); their leases bring "
                    + "them back", unhanded.size());
            unhanded.forEach(message -> held.forget(message.reminders()));
        }
        if (!pass.permitted) {
            return;
        }
        pass.permitted = false;
        passPermit.release();
        if (wakeRequested && !stopping) {
            timer.wakeAt(clock.millis() + settings.wakeUpGap().toMillis());
        }
    }

    /** Reminders claimed and waiting in memory for merge siblings. */
    public int waitingForSiblings() {
        return merge.size();
    }

    /** Messages about to be handed off: one merged from several claims gets one lease expiry first. */
    private List<OutboundMessage> aligned(List<OutboundMessage> messages) {
        for (OutboundMessage message : messages) {
            if (spansClaims(message)) {
                expireTogether(message);
            }
        }
        return messages;
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
        boolean permit = acquirePassPermit();
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
            if (permit) {
                passPermit.release();
            }
        }
    }

    /** Waits for a running pass to end (it ends within the tick budget, or a Redis timeout after it). */
    private boolean acquirePassPermit() {
        try {
            if (passPermit.tryAcquire(settings.tickBudget().toMillis() + STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            LOG.warn("A dispatch pass did not end in time; stopping without waiting for it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
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
