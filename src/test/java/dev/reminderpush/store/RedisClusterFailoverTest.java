package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.EmbeddedRedisCluster;
import dev.reminderpush.testing.Http;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Drill: on a real 6-node Redis Cluster, the master holding shard 0 is stopped while producers schedule
 * reminders; its replica takes over. Every reminder the API acknowledged is still there afterwards
 * (writes to the failing shard get 503 meanwhile, and the bundle follows the new topology by itself).
 */
class RedisClusterFailoverTest {

    @Test
    void aMasterStopsItsReplicaTakesOverNothingAcknowledgedIsLost() throws Exception {
        EmbeddedRedisCluster cluster = new EmbeddedRedisCluster().start();
        Map<String, String> settings = new HashMap<>(cluster.springProperties());
        settings.put("reminders.dispatch.enabled", "false");
        settings.put("reminders.key-prefix", "failover");
        try (BundleInstance bundle = new BundleInstance(settings)) {
            Http http = new Http(bundle.httpPort());
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicReference<String> unexpected = new AtomicReference<>();
            AtomicInteger next = new AtomicInteger();
            String due = Instant.now().plusSeconds(3_600).toString();
            long stopAt = System.currentTimeMillis() + 16_000;
            Runnable produce = () -> {
                while (System.currentTimeMillis() < stopAt && unexpected.get() == null) {
                    int i = next.getAndIncrement();
                    String path = "/api/reminders/f" + i + "/s";
                    HttpResponse<String> response = http.put(path, "{\"dueAt\":\"" + due + "\",\"title\":\"t\",\"body\":\"b\"}");
                    switch (response.statusCode()) {
                        case 201 -> acknowledged.add(path);
                        case 503 -> unavailable.incrementAndGet();
                        default -> unexpected.set(response.statusCode() + " " + response.body());
                    }
                }
            };
            ExecutorService producers = Executors.newFixedThreadPool(2);
            Future<?> a = producers.submit(produce);
            Future<?> b = producers.submit(produce);
            Thread.sleep(4_000);
            int master = cluster.masterOf("failover:{0}:due");
            int beforeStop = acknowledged.size();
            cluster.stopNode(master);
            long stopped = System.currentTimeMillis();
            int promoted = awaitNewMaster(cluster, "failover:{0}:due", master);
            long failoverMillis = System.currentTimeMillis() - stopped;
            a.get();
            b.get();
            producers.shutdown();
            assertThat(unexpected.get()).as("an answer other than 201/503").isNull();

            Set<String> missing = ConcurrentHashMap.newKeySet();
            for (String path : acknowledged) {
                int status = http.get(path).statusCode();
                if (status != 200) {
                    missing.add(path + " -> " + status);
                }
            }
            System.out.println("[drill] Redis Cluster failover: " + acknowledged.size() + " acknowledged (" + beforeStop
                    + " before the master of shard 0 stopped), " + unavailable.get() + " answered 503, replica on port "
                    + promoted + " took over after " + failoverMillis + " ms, lost " + missing.size());
            assertThat(missing).as("acknowledged, then lost in the failover").isEmpty();
            assertThat(acknowledged.size()).as("writes went on after the failover").isGreaterThan(beforeStop + 200);

            cluster.restartNode(master); // comes back as a replica of the new master
            cluster.awaitHealthy();
        } finally {
            cluster.stop();
        }
    }

    private static int awaitNewMaster(EmbeddedRedisCluster cluster, String key, int oldMaster) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                int master = cluster.masterOf(key);
                if (master != oldMaster) {
                    return master;
                }
            } catch (RuntimeException e) {
                // no live master for the slot yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no replica took over within 30 s");
    }
}
