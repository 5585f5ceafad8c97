package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.IntegrationTest;
import dev.reminderpush.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisConnection;

/** The suite talks to the Redis it claims to: a Redis Cluster in the redis-cluster profile, one server otherwise. */
class RedisModeTest extends IntegrationTest {

    @Test
    void theBundleUsesTheConfiguredKindOfRedis() {
        try (RedisConnection connection = redis.getRequiredConnectionFactory().getConnection()) {
            Object raw = connection.execute("INFO", "cluster".getBytes());
            String info = raw instanceof byte[] bytes ? new String(bytes) : String.valueOf(raw);
            assertThat(info).contains(TestInfrastructure.CLUSTER ? "cluster_enabled:1" : "cluster_enabled:0");
        }
        if (TestInfrastructure.CLUSTER) {
            assertThat(redis.getRequiredConnectionFactory().getClusterConnection().clusterGetClusterInfo().getState())
                    .isEqualTo("ok");
        }
    }
}
