package dev.reminderpush.store;

import dev.reminderpush.dispatch.InstanceId;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Online resharding (README, "Online resharding"). An operator starts a migration ({@link #start}); every
 * instance checks each second whether one runs, and one of them at a time (the mover lease) runs it:
 * <ol>
 * <li>raise every shard's fence to the migration's epoch, so no writer of the old layout writes anywhere, and to
 * this mover run's token, so no earlier run (one that lost its lease while paused) moves anything any more;</li>
 * <li>drain every shard of what now belongs elsewhere ({@link ShardMover}), pass after pass, until a whole pass
 * moves nothing and leaves nothing in flight in a shard it is leaving;</li>
 * <li>give every new shard the Kafka command marks of every old one, so a record replayed later is known there;</li>
 * <li>finish: the target becomes the layout (a new epoch), and the moved-in marks are dropped.</li>
 * </ol>
 * Writers of the migration's epoch write to the new shard and only remove from the old one, so once a pass finds
 * nothing, nothing can come back. A mover that dies is replaced within one lease by another instance, which
 * starts over at step 1: every step is idempotent.
 */
@Component
public class Resharding {

    private static final Logger LOG = LoggerFactory.getLogger(Resharding.class);
    static final long LEASE_MILLIS = 10_000;
    private static final long IN_FLIGHT_WAIT_MILLIS = 200;

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final LayoutStore layouts;
    private final LayoutWatcher watcher;
    private final ShardFunction shards;
    private final ShardMover mover;
    private final String owner;
    private final Clock clock;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "shard-mover");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;
    private volatile Progress progress;

    /** What this instance's mover did in the migration it runs or ran last. */
    public record Progress(long epoch, int passes, long moved, long inFlight, long startedAt, long lastPassAt) {}

    public Resharding(StringRedisTemplate redis, ReminderKeys keys, LayoutStore layouts, LayoutWatcher watcher,
            ShardFunction shards, ShardMover mover, InstanceId instanceId, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.layouts = layouts;
        this.watcher = watcher;
        this.shards = shards;
        this.mover = mover;
        this.owner = instanceId.value();
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    void startWatching() {
        executor.scheduleWithFixedDelay(this::runIfDue, 1, 1, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        stopping = true;
        executor.shutdownNow();
    }

    /**
     * Starts a migration to {@code count} shards mapped by {@code hash}: the new layout record. Throws
     * IllegalArgumentException for a target that is no change, IllegalStateException while a migration runs.
     */
    public LayoutStore.Record start(int count, ShardHash hash) {
        if (count < 1 || count > 16384) {
            throw new IllegalArgumentException("shardCount must be between 1 and 16384, was " + count);
        }
        LayoutStore.Record current = watcher.refresh();
        if (current == null) {
            throw new StoreUnavailableException("the shard layout could not be read from Redis", null);
        }
        ShardLayout layout = current.layout();
        if (layout.migrating()) {
            throw new IllegalStateException("a migration to " + layout.target().count() + " shards ("
                    + layout.target().hash().label() + ") is running; wait until it finishes");
        }
        if (layout.count() == count && layout.hash() == hash) {
            throw new IllegalArgumentException("the layout already is " + count + " shards (" + hash.label() + ")");
        }
        LayoutStore.Record begun = layouts.begin(layout.epoch(), new ShardLayout.Target(count, hash))
                .orElseThrow(() -> new IllegalStateException("the layout changed meanwhile; read it again"));
        watcher.accept(begun);
        LOG.warn("Resharding started: {} -> {} shards ({}), epoch {}", layout.count(), count, hash.label(), begun.layout().epoch());
        executor.execute(this::runIfDue);
        return begun;
    }

    /** This instance's mover's progress, or null when it ran none since it started. */
    public Progress progress() {
        return progress;
    }

    private void runIfDue() {
        try {
            LayoutStore.Record record = watcher.last(); // the watcher reads it every second
            if (record == null || !record.layout().migrating() || stopping) {
                return;
            }
            if (!lease(LEASE_MILLIS)) {
                return; // another instance moves
            }
            try {
                record = watcher.refresh(); // under the lease: the migration may have been finished by the last holder
                if (record == null || !record.layout().migrating()) {
                    return;
                }
                migrate(record);
            } finally {
                lease(0);
            }
        } catch (StaleLayoutException e) {
            LOG.warn("Resharding: this mover stops: its lease ran out, or a newer mover run or layout fenced a shard");
        } catch (RuntimeException e) {
            LOG.warn("Resharding: the mover stopped ({}); it starts again within a second", e.getMessage(), e);
        }
    }

    private void migrate(LayoutStore.Record record) {
        ShardLayout layout = record.layout();
        long epoch = layout.epoch();
        ShardLayout.Target target = layout.target();
        int walk = layout.activeShards();
        long started = clock.millis();
        progress = new Progress(epoch, 0, 0, 0, started, started);
        Long run = RedisFailures.call("mover run", () -> redis.opsForValue().increment(keys.moverRuns()));
        String token = Long.toString(run);
        for (int shard = 0; shard < walk; shard++) {
            List<String> fence = List.of(keys.epoch(shard), keys.moverRun(shard));
            RedisFailures.call("fence", () -> redis.execute(LuaScripts.FENCE, fence, Long.toString(epoch), token));
        }
        LOG.info("Resharding to {} shards: every shard is fenced at epoch {} (mover run {}); moving", target.count(), epoch, token);
        BooleanSupplier keepGoing = () -> !stopping && lease(LEASE_MILLIS) && shards.layout().epoch() == epoch;
        long total = 0;
        for (int pass = 1; ; pass++) {
            ShardMover.Drain drained = new ShardMover.Drain(0, 0);
            for (int shard = 0; shard < walk; shard++) {
                if (!keepGoing.getAsBoolean()) {
                    LOG.warn("Resharding: this mover stops (stopping, lease lost or layout changed); another goes on");
                    return;
                }
                ShardMover.Drain one = mover.drain(shard, target, epoch, token, keepGoing);
                if (one.moved() > 0) {
                    layouts.countMoved(one.moved());
                }
                drained = drained.plus(one);
            }
            total += drained.moved();
            progress = new Progress(epoch, pass, total, drained.inFlight(), started, clock.millis());
            LOG.info("Resharding to {} shards: pass {} moved {} ({} in all), {} still in flight in shards they leave, {} ms",
                    target.count(), pass, drained.moved(), total, drained.inFlight(), clock.millis() - started);
            if (drained.moved() == 0 && drained.inFlight() == 0) {
                break;
            }
            if (drained.moved() == 0) {
                sleep(IN_FLIGHT_WAIT_MILLIS); // acknowledgements or lease expiries settle them
            }
        }
        mergeCommandMarks(walk, target, epoch, token);
        // the moved-in marks go before the finish (UNLINK frees a big hash off Redis's main thread): after the final
        // pass nothing relies on them, and no next migration, whose marks they would be confused with, can begin
        // before the finish; a writer of this epoch marking one afterwards leaves a mark no later epoch matches
        for (int shard = 0; shard < walk; shard++) {
            String marks = keys.movedIn(shard);
            RedisFailures.call("forget marks", () -> redis.unlink(marks));
        }
        LayoutStore.Record finished = layouts.finish(epoch)
                .orElseThrow(() -> new IllegalStateException("the layout changed while the mover ran"));
        watcher.accept(finished);
        LOG.warn("Resharding finished: {} shards ({}), epoch {}; moved {} in {} ms", target.count(), target.hash().label(),
                finished.layout().epoch(), total, clock.millis() - started);
    }

    /** Every old shard's Kafka command marks, merged (the higher offset wins), into every shard of the target. */
    private void mergeCommandMarks(int walk, ShardLayout.Target target, long epoch, String token) {
        Map<Object, Object> merged = new HashMap<>();
        for (int shard = 0; shard < walk; shard++) {
            String commands = keys.commands(shard);
            Map<Object, Object> marks = RedisFailures.call("command marks", () -> redis.opsForHash().entries(commands));
            marks.forEach((source, mark) -> merged.merge(source, mark, (a, b) -> offset(b) > offset(a) ? b : a));
        }
        if (!merged.isEmpty()) {
            for (int shard = 0; shard < target.count(); shard++) {
                mover.mergeMarks(shard, merged, epoch, token);
            }
        }
    }

    /** The offset of a command mark {@code <offset>|<applied at>}. */
    private static long offset(Object mark) {
        String text = mark.toString();
        return Long.parseLong(text.substring(0, text.indexOf('|')));
    }

    private boolean lease(long ttlMillis) {
        Long held = RedisFailures.call("mover lease", () -> redis.execute(LuaScripts.MOVER_LOCK, List.of(keys.moverLock()),
                owner, Long.toString(ttlMillis)));
        return held != null && held == 1;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
