package dev.reminderpush.testing;

import java.util.Map;

/** The Redis a test context runs against: one server, or a Redis Cluster (Maven profile redis-cluster). */
public interface TestRedis {

    TestRedis start();

    /** Stops every server; {@link #start()} brings them back (empty unless durable). */
    void stop();

    /** spring.data.redis.* settings that point a bundle at it. */
    Map<String, String> springProperties();
}
