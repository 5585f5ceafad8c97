package dev.reminderpush.observability;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedRateTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * The operator console's chart: every 5 s, what this instance delivered per second and how late, for the last
 * 5 minutes (60 samples, in memory: a restart starts the chart again).
 */
@Component
public class ConsoleHistory implements SchedulingConfigurer {

    static final Duration STEP = Duration.ofSeconds(5);
    static final int SAMPLES = 60;

    /**
     * One step: reminders delivered per second and their mean lateness over the step, and the largest lateness of
     * about the last 2 minutes (Micrometer's decaying max), in ms. Steps share Spring's scheduler thread with the
     * backlog refresh, so one may come late; its rate is per its real length.
     */
    public record Sample(Instant at, double deliveredPerSecond, double latenessMeanMillis, double latenessMaxMillis) {}

    private final ReminderMetrics metrics;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private double lastDelivered;
    private long lastCount;
    private double lastTotalMillis;
    private long lastNanos = System.nanoTime();

    public ConsoleHistory(ReminderMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedRateTask(new FixedRateTask(this::sample, STEP, STEP));
    }

    synchronized void sample() {
        long nanos = System.nanoTime();
        double seconds = Math.max(0.001, (nanos - lastNanos) / 1e9);
        double delivered = metrics.deliveredTotal();
        Timer lateness = metrics.latenessTimer();
        long count = lateness.count();
        double total = lateness.totalTime(TimeUnit.MILLISECONDS);
        double mean = count > lastCount ? (total - lastTotalMillis) / (count - lastCount) : 0;
        samples.addLast(new Sample(Instant.now(), (delivered - lastDelivered) / seconds, mean, lateness.max(TimeUnit.MILLISECONDS)));
        while (samples.size() > SAMPLES) {
            samples.removeFirst();
        }
        lastDelivered = delivered;
        lastCount = count;
        lastTotalMillis = total;
        lastNanos = nanos;
    }

    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }
}
