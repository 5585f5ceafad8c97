package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.reminderpush.testing.BundleInstance;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.Http;
import dev.reminderpush.testing.TestInfrastructure;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

/**
 * The bundle on Redis Sentinel (README "Redis Sentinel"): a master, a replica and a sentinel, all real
 * redis-server 6.2 processes. The bundle finds the master through the sentinel; when the master stops,
 * the sentinel promotes the replica and the bundle follows, keeping what it had acknowledged.
 */
class RedisSentinelTest {

    @Test
    void theBundleFindsTheMasterThroughSentinelAndFollowsAFailover() throws Exception {
        assumeFalse(TestInfrastructure.CLUSTER, "a Sentinel setup replaces the cluster; runs in the default build");
        EmbeddedRedis master = new EmbeddedRedis(TestInfrastructure.freePort()).start();
        int replicaPort = TestInfrastructure.freePort();
        RedisServer replica = RedisServer.newRedisServer().port(replicaPort).bind("127.0.0.1")
                .setting("replicaof 127.0.0.1 " + master.springProperties().get("spring.data.redis.port"))
                .setting("save \"\"").setting("appendonly no").build();
        replica.start();
        int sentinelPort = TestInfrastructure.freePort();
        RedisSentinel sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(sentinelPort)
                .masterPort(Integer.valueOf(master.springProperties().get("spring.data.redis.port"))).masterName("reminders")
                .quorumSize(1).downAfterMilliseconds(1_000).failOverTimeout(5_000).build();
        sentinel.start();
        try (BundleInstance bundle = new BundleInstance(Map.of(
                "spring.data.redis.sentinel.master", "reminders",
                "spring.data.redis.sentinel.nodes", "127.0.0.1:" + sentinelPort,
                "reminders.key-prefix", "sentinel",
                "reminders.dispatch.enabled", "false"))) {
            Http http = new Http(bundle.httpPort());
            String body = "{\"dueAt\":\"" + Instant.now().plusSeconds(3_600) + "\",\"title\":\"t\",\"body\":\"b\"}";
            assertThat(http.put("/api/reminders/42/before", body).statusCode()).isEqualTo(201);
            awaitReplicated(replicaPort);

            master.stop();
            long deadline = System.currentTimeMillis() + 30_000;
            int status = 0;
            while (System.currentTimeMillis() < deadline && status != 201) {
                status = http.put("/api/reminders/42/after", body).statusCode();
                if (status != 201) {
                    Thread.sleep(250);
                }
            }
            assertThat(status).as("writes succeed again after the sentinel promoted the replica").isEqualTo(201);
            assertThat(http.get("/api/reminders/42/before").statusCode()).isEqualTo(200);
            assertThat(role(replicaPort)).isEqualTo("master");
        } finally {
            sentinel.stop();
            replica.stop();
            master.stop();
        }
    }

    private static void awaitReplicated(int replicaPort) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            RedisClient client = RedisClient.create("redis://127.0.0.1:" + replicaPort);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                if (!connection.sync().keys("sentinel:*").isEmpty()) {
                    return;
                }
            } finally {
                client.shutdown();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the replica never received the write");
    }

    private static String role(int port) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().role().get(0).toString();
        } finally {
            client.shutdown();
        }
    }
}
