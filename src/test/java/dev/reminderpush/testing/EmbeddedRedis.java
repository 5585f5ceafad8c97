package dev.reminderpush.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real redis-server (6.2, shipped inside com.github.codemonstur:embedded-redis) on a loopback port,
 * with its files in a temporary directory. Can be stopped and started again on the same port.
 */
public final class EmbeddedRedis implements TestRedis {

    private final int port;
    private final RedisServer server;

    public EmbeddedRedis(int port) {
        this(port, false);
    }

    /**
     * @param durable {@code true}: every write is appended to the AOF and fsynced before Redis answers
     *                ({@code appendfsync always}), so a restart keeps everything acknowledged
     */
    public EmbeddedRedis(int port, boolean durable) {
        this.port = port;
        try {
            Path dir = Files.createTempDirectory("reminder-push-redis-");
            dir.toFile().deleteOnExit();
            this.server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("save \"\"")
                    .setting(durable ? "appendonly yes" : "appendonly no")
                    .setting(durable ? "appendfsync always" : "appendfsync everysec")
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public java.util.Map<String, String> springProperties() {
        return java.util.Map.of("spring.data.redis.host", "127.0.0.1", "spring.data.redis.port", Integer.toString(port));
    }

    @Override
    public EmbeddedRedis start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis-server on port " + port, e);
        }
        return this;
    }

    @Override
    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }
}
