package dev.reminderpush.observability;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.delivery.DeliveryCircuit;
import dev.reminderpush.dispatch.ClaimingSwitch;
import dev.reminderpush.store.Priority;
import dev.reminderpush.store.ReminderKeys;
import dev.reminderpush.store.ShardFunction;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Backlog gauges. They need Redis, so they are refreshed on their own schedule
 * ({@code reminders.metrics.refresh-interval}, one stats.lua call per shard), never per scrape: a
 * scrape only reads the last values.
 */
@Component
public class BacklogGauges implements SchedulingConfigurer {

    private static final Logger LOG = LoggerFactory.getLogger(BacklogGauges.class);
    private static final RedisScript<List> STATS = RedisScript.of(new ClassPathResource("lua/stats.lua", BacklogGauges.class.getClassLoader()), List.class);

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final ShardFunction shards;
    private final MeterRegistry registry;
    private final List<Gauge> perShardGauges = new ArrayList<>();
    private volatile long[] overdue = new long[0];
    private final long[] totals = new long[4]; // overdue, future, in flight, dead
    private volatile double oldestOverdueSeconds;
    private final long[] laneOverdue = new long[3]; // high, normal, low
    private final double[] laneOldestSeconds = new double[3];
    private volatile Snapshot snapshot;
    private final Duration refreshInterval;

    public BacklogGauges(StringRedisTemplate redis, ReminderKeys keys, ShardFunction shardFunction,
            MeterRegistry registry, DeliveryCircuit circuit, ClaimingSwitch claiming, ReminderProperties properties) {
        this.redis = redis;
        this.refreshInterval = properties.metrics().refreshInterval();
        this.keys = keys;
        this.shards = shardFunction;
        this.registry = registry;
        registerShardGauges(shardFunction.shardCount());
        Gauge.builder("reminders.overdue.all", () -> totals[0]).description("Reminders due by now and not yet claimed")
                .register(registry);
        Gauge.builder("reminders.scheduled.future", () -> totals[1]).description("Reminders scheduled for later").register(registry);
        Gauge.builder("reminders.inflight", () -> totals[2]).description("Reminders claimed and not yet acknowledged")
                .register(registry);
        Gauge.builder("reminders.dead.letters", () -> totals[3]).description("Reminders in the dead letters").register(registry);
        Gauge.builder("reminders.oldest.overdue.age", () -> oldestOverdueSeconds).baseUnit("seconds")
                .description("How long the oldest reminder due by now has been waiting (0 when none): alert on this")
                .register(registry);
        for (Priority lane : Priority.values()) {
            int l = lane.ordinal();
            Gauge.builder("reminders.overdue.lane", () -> laneOverdue[l]).tag("lane", lane.label())
                    .description("Reminders due by now and not yet claimed, per priority lane").register(registry);
            Gauge.builder("reminders.oldest.overdue.age.lane", () -> laneOldestSeconds[l]).tag("lane", lane.label()).baseUnit("seconds")
                    .description("How long the oldest reminder due by now in this lane has been waiting (0 when none)")
                    .register(registry);
        }
        Gauge.builder("reminders.claiming.paused", () -> circuit.isOpen() || claiming.isPaused() ? 1 : 0)
                .description("1 while claiming is paused (delivery circuit open, or an operator paused it)").register(registry);
    }

    /** One {@code reminders.overdue} series per shard of the layout: added and removed as the layout changes. */
    private void registerShardGauges(int count) {
        while (perShardGauges.size() < count) {
            int s = perShardGauges.size();
            perShardGauges.add(Gauge.builder("reminders.overdue", () -> {
                long[] values = overdue;
                return s < values.length ? values[s] : 0;
            }).tag("shard", Integer.toString(s)).description("Reminders due by now and not yet claimed, per shard").register(registry));
        }
        while (perShardGauges.size() > count) {
            registry.remove(perShardGauges.remove(perShardGauges.size() - 1));
        }
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedDelayTask(new FixedDelayTask(this::refresh, refreshInterval, Duration.ofSeconds(1)));
    }

    /**
     * The figures of the last refresh, per shard: [overdue, scheduled for later, in flight, dead]; null before the
     * first. Read by the operator console, so it costs Redis nothing more than the gauges.
     */
    public record Snapshot(long[][] shards, long[] totals, double oldestOverdueSeconds, long redisMillis) {}

    public Snapshot snapshot() {
        return snapshot;
    }

    public synchronized void refresh() {
        long now = 0;
        long[] sums = new long[4];
        int count = shards.shardCount();
        long[][] perShard = new long[count][4];
        long[] overdueNow = new long[count];
        long oldest = Long.MAX_VALUE;
        long[] lanes = new long[3];
        long[] laneOldest = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        try {
            for (int shard = 0; shard < count; shard++) {
                List<?> stats = redis.execute(STATS, List.of(keys.due(shard), keys.inflight(shard), keys.deadAt(shard),
                        keys.due(shard, Priority.HIGH), keys.due(shard, Priority.LOW)));
                for (int l = 0; l < 3; l++) { // per lane: due by now, oldest of them (-1: none)
                    lanes[l] += ((Number) stats.get(6 + 2 * l)).longValue();
                    long laneFirst = ((Number) stats.get(7 + 2 * l)).longValue();
                    if (laneFirst >= 0) {
                        laneOldest[l] = Math.min(laneOldest[l], laneFirst);
                    }
                }
                for (int i = 0; i < 4; i++) {
                    perShard[shard][i] = ((Number) stats.get(i)).longValue();
                    sums[i] += perShard[shard][i];
                }
                overdueNow[shard] = perShard[shard][0];
                long first = ((Number) stats.get(4)).longValue();
                now = ((Number) stats.get(5)).longValue(); // Redis server time, the clock of the due times
                if (first >= 0) {
                    oldest = Math.min(oldest, first);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Backlog gauges not refreshed (Redis unavailable?): {}", e.getMessage());
            return;
        }
        System.arraycopy(sums, 0, totals, 0, 4);
        overdue = overdueNow;
        registerShardGauges(count);
        oldestOverdueSeconds = oldest == Long.MAX_VALUE ? 0 : (now - oldest) / 1000.0;
        for (int l = 0; l < 3; l++) {
            laneOverdue[l] = lanes[l];
            laneOldestSeconds[l] = laneOldest[l] == Long.MAX_VALUE ? 0 : (now - laneOldest[l]) / 1000.0;
        }
        snapshot = new Snapshot(perShard, sums, oldestOverdueSeconds, now);
    }
}
