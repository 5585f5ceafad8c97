package dev.reminderpush.bench;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one system did in one run, with the checks every run must pass. */
final class RunResult {

    final String name;
    final int expected;
    final long messages;
    final List<Delivery> deliveries;
    final long firstDue;
    final Map<String, String> notes = new LinkedHashMap<>();
    /** CPU seconds of the bundle, Redis and the Kafka broker while the run delivered (when measured). */
    final double[] cpuSeconds = new double[3];

    final int distinct;
    final int duplicates;
    final int early;
    final long[] lateness; // sorted

    RunResult(String name, int expected, long messages, List<Delivery> deliveries, long firstDue) {
        this.name = name;
        this.expected = expected;
        this.messages = messages;
        this.deliveries = deliveries;
        this.firstDue = firstDue;
        Set<String> seen = new HashSet<>();
        int dup = 0;
        int earlyCount = 0;
        for (Delivery d : deliveries) {
            if (!seen.add(d.reminderId())) {
                dup++;
            }
            if (d.lateness() < 0) {
                earlyCount++;
            }
        }
        this.distinct = seen.size();
        this.duplicates = dup;
        this.early = earlyCount;
        this.lateness = deliveries.stream().mapToLong(Delivery::lateness).sorted().toArray();
    }

    int missing() {
        return expected - distinct;
    }

    boolean checksPass() {
        return missing() == 0 && duplicates == 0 && early == 0;
    }

    String checks() {
        return checksPass() ? "all " + expected + " once, none early"
                : "MISSING " + missing() + ", DUPLICATES " + duplicates + ", EARLY " + early;
    }

    long percentile(double p) {
        if (lateness.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * lateness.length) - 1;
        return lateness[Math.max(0, Math.min(lateness.length - 1, index))];
    }

    long max() {
        return lateness.length == 0 ? -1 : lateness[lateness.length - 1];
    }

    /**
     * The {@code p}th lateness percentile of the reminders due in each {@code windowMillis} from the first due
     * time: whether a tail comes from one stretch of the run (a cold start, a collection) or from all of it.
     */
    List<Long> percentileByWindow(long windowMillis, double p) {
        Map<Long, List<Long>> windows = new java.util.TreeMap<>();
        for (Delivery d : deliveries) {
            windows.computeIfAbsent((d.dueMillis() - firstDue) / windowMillis, w -> new java.util.ArrayList<>()).add(d.lateness());
        }
        List<Long> out = new java.util.ArrayList<>();
        for (List<Long> window : windows.values()) {
            window.sort(null);
            out.add(window.get(Math.max(0, (int) Math.ceil(p / 100.0 * window.size()) - 1)));
        }
        return out;
    }

    /** Last delivery's timestamp minus the earliest due time: how long the whole job took from its start. */
    long completionMillis() {
        return deliveries.stream().mapToLong(Delivery::producedMillis).max().orElse(firstDue) - firstDue;
    }

    double throughputPerSecond() {
        long millis = Math.max(1, completionMillis());
        return distinct * 1000.0 / millis;
    }
}
