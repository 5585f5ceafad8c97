package dev.reminderpush.bench;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** The benchmark's knobs, as system properties ({@code ./mvnw -Pbench verify -Dbench.burst.count=100000}). */
record BenchConfig(
        Set<String> scenarios,
        int burstCount,
        int burstUsers,
        int burstWarmUpRounds,
        int shards,
        int baselineServers,
        int steadyRate,
        int steadySeconds,
        int steadyLeadMs,
        int steadyWarmUpSeconds,
        int scaleCount,
        int heapBacklog,
        int pushClients,
        int pushInstances,
        int lanesBacklog,
        int lanesStreamRate,
        int lanesStreamSeconds,
        int lanesLeadMs,
        String redis,
        String kafka) {

    static BenchConfig fromSystemProperties() {
        return new BenchConfig(
                Arrays.stream(System.getProperty("bench.scenarios", "burst,steady,scale,heap,push,lanes").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet()),
                Integer.getInteger("bench.burst.count", 200_000),
                Integer.getInteger("bench.burst.users", 150_000),
                Integer.getInteger("bench.burst.warm-up-rounds", 3),
                Integer.getInteger("bench.shards", 16),
                Integer.getInteger("bench.baseline.servers", 10),
                Integer.getInteger("bench.steady.rate", 2_000),
                Integer.getInteger("bench.steady.seconds", 60),
                Integer.getInteger("bench.steady.lead-ms", 3_000),
                Integer.getInteger("bench.steady.warm-up-seconds", 30),
                Integer.getInteger("bench.scale.count", 60_000),
                Integer.getInteger("bench.heap.backlog", 1_000_000),
                Integer.getInteger("bench.push.clients", 10_000),
                Integer.getInteger("bench.push.instances", 2),
                Integer.getInteger("bench.lanes.backlog", 500_000),
                Integer.getInteger("bench.lanes.stream-rate", 1_000),
                Integer.getInteger("bench.lanes.stream-seconds", 8),
                Integer.getInteger("bench.lanes.lead-ms", 500),
                System.getProperty("bench.redis"),
                System.getProperty("bench.kafka"));
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }
}
