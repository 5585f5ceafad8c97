package dev.reminderpush.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/** Metrics of real-time push (README "Monitoring"): connections, users online, pushes, replays, drops. */
@Component
public class PushMetrics {

    private final MeterRegistry registry;
    private final Counter pushed;
    private final Counter replayed;
    private final Counter droppedSlow;
    private final Counter broadcastSent;
    private final Counter heartbeatClosed;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();

    public PushMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.pushed = Counter.builder("reminders.push.sent").description("Messages written to connected clients as they arrived")
                .register(registry);
        this.replayed = Counter.builder("reminders.push.replayed")
                .description("Messages written to clients from their inbox on (re)connect").register(registry);
        this.broadcastSent = Counter.builder("reminders.push.broadcast.sent")
                .description("Topic broadcasts written to subscribed connections").register(registry);
        this.droppedSlow = Counter.builder("reminders.push.dropped.slow")
                .description("Connections dropped because their send buffer overflowed (the client resumes by replay)")
                .register(registry);
        this.heartbeatClosed = Counter.builder("reminders.push.heartbeat.closed")
                .description("Connections closed because the client answered no ping within the idle timeout").register(registry);
        for (String reason : new String[] {"full", "unauthorized", "invalid"}) {
            refusedCounter(reason);
        }
    }

    /** Gauges read from the live connection registry: per transport, and users with at least one connection. */
    public void gauges(Supplier<Number> websocket, Supplier<Number> sse, Supplier<Number> usersOnline, Supplier<Number> topics) {
        Gauge.builder("reminders.push.topics", topics).description("Topics with at least one subscribed connection on this instance")
                .register(registry);
        Gauge.builder("reminders.push.connections", websocket).description("Open client connections on this instance")
                .tag("transport", "websocket").register(registry);
        Gauge.builder("reminders.push.connections", sse).description("Open client connections on this instance")
                .tag("transport", "sse").register(registry);
        Gauge.builder("reminders.push.users.online", usersOnline)
                .description("Users with at least one open connection on this instance").register(registry);
    }

    public void pushed() {
        pushed.increment();
    }

    public void replayed(int messages) {
        replayed.increment(messages);
    }

    public void broadcastSent() {
        broadcastSent.increment();
    }

    public void droppedSlow() {
        droppedSlow.increment();
    }

    public void heartbeatClosed() {
        heartbeatClosed.increment();
    }

    /** A connection refused before it opened: {@code full} (503), {@code unauthorized} (401), {@code invalid} (400). */
    public void refused(String reason) {
        refusedCounter(reason).increment();
    }

    private Counter refusedCounter(String reason) {
        return refused.computeIfAbsent(reason, r -> Counter.builder("reminders.push.refused")
                .description("Connections refused before they opened").tag("reason", r).register(registry));
    }
}
