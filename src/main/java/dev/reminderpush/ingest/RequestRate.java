package dev.reminderpush.ingest;

/**
 * A token bucket refilled continuously at {@code perSecond} tokens per second, holding at most one second's
 * worth (so a burst may reach that size). {@code perSecond} 0 means no limit.
 */
final class RequestRate {

    private final int perSecond;
    private double tokens;
    private long lastRefillNanos = System.nanoTime();

    RequestRate(int perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
    }

    boolean tryAcquire() {
        return perSecond == 0 || take();
    }

    private synchronized boolean take() {
        long now = System.nanoTime();
        tokens = Math.min(perSecond, tokens + (now - lastRefillNanos) * perSecond / 1e9);
        lastRefillNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    int perSecond() {
        return perSecond;
    }
}
