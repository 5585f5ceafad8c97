package dev.reminderpush.store;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;

/**
 * Runs a Redis operation and turns "Redis is not there" into {@link StoreUnavailableException}. An error
 * that Redis itself answered (a script error, a wrong type) is a bug, not an outage, and passes through.
 */
final class RedisFailures {

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
            if (t instanceof RedisCommandExecutionException) {
                return true;
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
