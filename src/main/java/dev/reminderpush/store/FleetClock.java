package dev.reminderpush.store;

import java.time.Clock;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Redis server time as this instance best knows it: the JVM clock corrected by the offset seen in the last
 * claim reply. Due times are compared with Redis time inside the scripts, so claiming never depends on
 * this; it keeps what the instance reports (a message's {@code sentAt}, lateness, merge holds) on the
 * same clock as the due times, however far the host's clock has drifted.
 */
@Component
public class FleetClock {

    private final Clock local;
    private volatile long offsetMillis;

    public FleetClock(Clock local) {
        this.local = local;
    }

    /** A Redis reply said it was {@code redisMillis} somewhere between the two local readings. */
    void observe(long redisMillis, long localBefore, long localAfter) {
        offsetMillis = redisMillis - (localBefore + (localAfter - localBefore) / 2);
    }

    public long millis() {
        return local.millis() + offsetMillis;
    }

    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    /** Redis time minus this instance's clock, as last seen (positive: this host's clock is behind). */
    public long offsetMillis() {
        return offsetMillis;
    }
}
