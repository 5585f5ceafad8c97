package dev.reminderpush.observability;

import dev.reminderpush.ReminderProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The reminder counters and distributions (README "Monitoring" lists them with their Prometheus names).
 * Every flow that changes a reminder reports here; the backlog gauges are {@link BacklogGauges}.
 */
@Component
public class ReminderMetrics {

    private final MeterRegistry registry;
    private final Counter scheduled;
    private final Counter replaced;
    private final Counter cancelled;
    private final Counter replayed;
    private final Counter claimed;
    private final Counter retried;
    private final Counter leaseExpired;
    private final Counter redriven;
    private final DistributionSummary claimBatch;
    private final Timer lateness;
    private final Map<String, Counter[]> byChannel = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadByReason = new ConcurrentHashMap<>();

    public ReminderMetrics(MeterRegistry registry, ReminderProperties properties) {
        this.registry = registry;
        this.scheduled = Counter.builder("reminders.scheduled").description("New reminders scheduled").register(registry);
        this.replaced = Counter.builder("reminders.replaced").description("Reminders scheduled again (same user and subject)")
                .register(registry);
        this.cancelled = Counter.builder("reminders.cancelled").description("Reminders cancelled").register(registry);
        this.replayed = Counter.builder("reminders.commands.replayed")
                .description("Kafka commands recognised as already applied (replayed records) and skipped").register(registry);
        this.claimed = Counter.builder("reminders.claimed").description("Reminders claimed for delivery").register(registry);
        this.retried = Counter.builder("reminders.delivery.retried").description("Delivery attempts repeated after a failure")
                .register(registry);
        this.leaseExpired = Counter.builder("reminders.lease.expired")
                .description("Claims whose lease expired and went back to the due set (delivered again)").register(registry);
        this.redriven = Counter.builder("reminders.redriven").description("Dead letters sent back to the due set")
                .register(registry);
        this.claimBatch = DistributionSummary.builder("reminders.claim.batch.size").description("Reminders per claim")
                .publishPercentiles(0.5, 0.9, 0.99).publishPercentileHistogram().register(registry);
        // buckets only (percentiles by histogram_quantile, across instances): client-side percentiles cost an
        // HdrHistogram update per delivered reminder
        this.lateness = Timer.builder("reminders.lateness")
                .description("Time from a reminder's due time to the message center accepting it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        // registered up front, so every series exists at 0 before it first moves (rates and alerts need that)
        dev.reminderpush.delivery.DeliveryChannels.routed(properties.delivery().channels()).forEach(this::channelCounters);
        List.of("rejected", "retries_exhausted", "lease_expired", "unknown_channel").forEach(this::deadLetterCounter);
    }

    public void scheduled(boolean created) {
        (created ? scheduled : replaced).increment();
    }

    public void cancelled() {
        cancelled.increment();
    }

    public void replayed() {
        replayed.increment();
    }

    public void claimed(int count) {
        if (count > 0) {
            claimed.increment(count);
            claimBatch.record(count);
        }
    }

    /** One message accepted by the message center, carrying {@code reminders} reminders. */
    public void delivered(String channel, int reminders) {
        Counter[] counters = channelCounters(channel);
        counters[0].increment(reminders);
        counters[1].increment();
    }

    /** Reminders this instance delivered since it started, over every channel (the console's rate). */
    public double deliveredTotal() {
        return byChannel.values().stream().mapToDouble(counters -> counters[0].count()).sum();
    }

    /** The lateness timer (count, total, decaying max) that the console samples. */
    public Timer latenessTimer() {
        return lateness;
    }

    private Counter[] channelCounters(String channel) {
        return byChannel.computeIfAbsent(channel, c -> new Counter[] {
            Counter.builder("reminders.delivered").description("Reminders accepted by the message center")
                    .tag("channel", c).register(registry),
            Counter.builder("reminders.messages.sent").description("Messages accepted by the message center (after merging)")
                    .tag("channel", c).register(registry)});
    }

    private Counter deadLetterCounter(String reason) {
        return deadByReason.computeIfAbsent(reason, r -> Counter.builder("reminders.dead.lettered")
                .description("Reminders moved to the dead letters").tag("reason", r).register(registry));
    }

    public void lateness(long millis) {
        lateness.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void retried() {
        retried.increment();
    }

    public void leaseExpired(long count) {
        leaseExpired.increment(count);
    }

    /** {@code reason}: rejected, retries_exhausted or lease_expired. */
    public void deadLettered(String reason, long count) {
        if (count > 0) {
            deadLetterCounter(reason).increment(count);
        }
    }

    public void redriven(long count) {
        redriven.increment(count);
    }
}
