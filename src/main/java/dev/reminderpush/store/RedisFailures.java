package dev.reminderpush.store;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;

/**
 * Runs a Redis operation and turns "Redis is not there" into {@link StoreUnavailableException}: no
 * connection, or an answer saying the data cannot be served right now (a cluster failing over, a server
 * loading its data). Any other error that Redis answered (a script error, a wrong type) is a bug, not an
 * outage, and passes through.
 */
final class RedisFailures {

    /** Error replies of a Redis that is (for the moment) unable to serve, not of a wrong command. */
    private static final List<String> TRANSIENT_REPLIES =
            List.of("CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "READONLY", "NOREPLICAS", "BUSY");

    private RedisFailures() {}

    static <T> T call(String what, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (DataAccessException | io.lettuce.core.RedisException e) {
            if (answeredByRedis(e)) {
                throw e;
            }
            throw new StoreUnavailableException("Redis is unavailable (" + what + "): " + rootMessage(e), e);
        }
    }

    private static boolean answeredByRedis(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RedisCommandExecutionException reply) {
                String message = reply.getMessage() == null ? "" : reply.getMessage();
                return TRANSIENT_REPLIES.stream().noneMatch(message::startsWith);
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
