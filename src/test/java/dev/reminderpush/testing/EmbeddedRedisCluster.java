package dev.reminderpush.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import redis.embedded.RedisServer;

/**
 * A real Redis Cluster: 3 masters and 3 replicas, each the embedded redis-server 6.2 in cluster mode on
 * its own loopback port, joined and given their slots with CLUSTER MEET / ADDSLOTS / REPLICATE (what
 * {@code redis-cli --cluster create} does). Node timeout 2 s, so a replica takes over quickly in drills.
 */
public final class EmbeddedRedisCluster implements TestRedis {

    private static final int MASTERS = 3;
    private static final int SLOTS = 16384;

    private final List<Integer> ports = new ArrayList<>();
    private final List<RedisServer> servers = new ArrayList<>();
    private boolean formed;

    public EmbeddedRedisCluster() {
        try {
            Path dir = Files.createTempDirectory("reminder-push-redis-cluster-");
            for (int i = 0; i < 2 * MASTERS; i++) {
                int port = TestInfrastructure.freePort();
                ports.add(port);
                servers.add(RedisServer.newRedisServer()
                        .port(port)
                        .bind("127.0.0.1")
                        .setting("dir " + dir)
                        .setting("cluster-enabled yes")
                        .setting("cluster-config-file nodes-" + port + ".conf")
                        .setting("cluster-node-timeout 2000")
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .build());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EmbeddedRedisCluster start() {
        for (int i = 0; i < servers.size(); i++) {
            startNode(i);
        }
        if (!formed) {
            form();
            formed = true;
        }
        awaitHealthy();
        return this;
    }

    private void form() {
        withNode(0, node -> {
            for (int port : ports.subList(1, ports.size())) {
                node.clusterMeet("127.0.0.1", port);
            }
        });
        for (int m = 0; m < MASTERS; m++) {
            int[] slots = IntStream.range(m * SLOTS / MASTERS, (m + 1) * SLOTS / MASTERS).toArray();
            withNode(m, node -> node.clusterAddSlots(slots));
        }
        await("all nodes know each other", () -> ports.stream().allMatch(port ->
                call(port, node -> node.clusterNodes().lines().count()) == 2 * MASTERS));
        for (int r = 0; r < MASTERS; r++) {
            String masterId = call(ports.get(r), RedisCommands::clusterMyId);
            int replica = MASTERS + r;
            await("replica " + ports.get(replica) + " attached", () -> {
                try {
                    withNode(replica, node -> node.clusterReplicate(masterId));
                    return true;
                } catch (RuntimeException e) { // the replica has not heard of its master yet
                    return false;
                }
            });
        }
    }

    /** cluster_state:ok on every node and every replica in sync with its master. */
    public void awaitHealthy() {
        await("cluster state ok everywhere", () -> livePorts().stream().allMatch(port ->
                call(port, node -> node.clusterInfo()).contains("cluster_state:ok")));
        await("3 masters with a connected replica each", () -> livePorts().stream()
                .filter(port -> call(port, node -> node.info("replication")).contains("role:master"))
                .filter(port -> call(port, node -> node.info("replication")).contains("connected_slaves:1"))
                .count() == MASTERS);
    }

    /** Stops one node (its process ends, as a crash would to its clients). */
    public void stopNode(int port) {
        try {
            server(port).stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void restartNode(int port) {
        startNode(ports.indexOf(port));
    }

    private void startNode(int index) {
        try {
            if (!servers.get(index).isActive()) {
                servers.get(index).start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start cluster node on port " + ports.get(index), e);
        }
    }

    /** The port of the live master serving {@code key}. */
    public int masterOf(String key) {
        int slot = call(livePorts().get(0), node -> node.clusterKeyslot(key)).intValue();
        return livePorts().stream()
                .filter(port -> call(port, node -> node.info("replication")).contains("role:master"))
                .filter(port -> servesSlot(port, slot))
                .findFirst().orElseThrow(() -> new IllegalStateException("no live master serves slot " + slot));
    }

    private boolean servesSlot(int port, int slot) {
        String myself = call(port, node -> node.clusterNodes()).lines().filter(line -> line.contains("myself"))
                .findFirst().orElseThrow();
        String[] fields = myself.split(" ");
        for (int i = 8; i < fields.length; i++) {
            String[] range = fields[i].split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    private List<Integer> livePorts() {
        return ports.stream().filter(port -> server(port).isActive()).toList();
    }

    private RedisServer server(int port) {
        return servers.get(ports.indexOf(port));
    }

    @Override
    public void stop() {
        for (RedisServer server : servers) {
            try {
                if (server.isActive()) {
                    server.stop();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public Map<String, String> springProperties() {
        return Map.of("spring.data.redis.cluster.nodes",
                ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(",")));
    }

    private void withNode(int index, java.util.function.Consumer<RedisCommands<String, String>> action) {
        call(ports.get(index), node -> {
            action.accept(node);
            return null;
        });
    }

    private static <T> T call(int port, java.util.function.Function<RedisCommands<String, String>, T> action) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return action.apply(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // a node not answering yet: try again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis Cluster: timed out waiting until " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
