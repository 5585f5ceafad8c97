package dev.reminderpush.dispatch;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Starts route {@code wake-up} (routes/dispatch.camel.yaml) at the time the dispatcher asks for: the next due
 * time it knows of, or the end of a merge window. One wake-up is planned at a time, the earliest asked for.
 * The Quartz poll stays the safety net for anything a wake-up misses.
 */
@Component
public class WakeUpTimer {

    private static final Logger LOG = LoggerFactory.getLogger(WakeUpTimer.class);
    static final String ROUTE_URI = "direct:wake-up";

    private final CamelContext camel;
    private final Clock clock;
    private ScheduledExecutorService executor;
    private ProducerTemplate producer;
    private ScheduledFuture<?> pending;
    private long pendingAt = Long.MAX_VALUE;
    private long plans;

    public WakeUpTimer(CamelContext camel, Clock clock) {
        this.camel = camel;
        this.clock = clock;
    }

    /** Wake up at {@code localMillis} (this host's clock) unless a wake-up is planned for then or earlier. */
    public synchronized void wakeAt(long localMillis) {
        if (pending != null && pendingAt <= localMillis) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        if (executor == null) {
            executor = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "ReminderWakeUp");
            producer = camel.createProducerTemplate();
        }
        pendingAt = localMillis;
        long plan = ++plans;
        pending = executor.schedule(() -> fire(plan), Math.max(0, localMillis - clock.millis()), TimeUnit.MILLISECONDS);
    }

    /** When the planned wake-up is (local epoch millis), {@link Long#MAX_VALUE} when none is. */
    public synchronized long plannedAt() {
        return pending == null ? Long.MAX_VALUE : pendingAt;
    }

    private void fire(long plan) {
        ProducerTemplate template;
        synchronized (this) {
            if (plans == plan) { // not replaced by a newer plan meanwhile
                pending = null;
                pendingAt = Long.MAX_VALUE;
            }
            template = producer;
        }
        if (!camel.isStarted()) {
            return; // starting or stopping: the poll route takes over once the routes run
        }
        try {
            template.sendBody(ROUTE_URI, null);
        } catch (RuntimeException e) {
            LOG.debug("Wake-up failed; the next poll tick does its work: {}", e.getMessage());
        }
    }
}
