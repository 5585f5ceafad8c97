package dev.reminderpush.delivery;

import java.util.List;
import java.util.concurrent.ExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.springframework.stereotype.Component;

/**
 * The thread pools the delivery code starts itself (not from a route), each sized by a Camel thread pool profile in
 * {@code camel.threadpool.config.<profile>} (application.yaml), so an operator tunes them where Camel's other pools
 * are. A {@code pool-size} of 0 means one thread per core (for CPU-bound work).
 */
@Component
public class CamelThreadPools {

    private final CamelContext camel;

    /** {@code registered}: Camel registers the configured profiles when it creates this bean, so it must come first. */
    public CamelThreadPools(CamelContext camel, List<ThreadPoolProfile> registered) {
        this.camel = camel;
    }

    ExecutorService create(Object source, String name, String profileId) {
        ThreadPoolProfile configured = camel.getExecutorServiceManager().getThreadPoolProfile(profileId);
        if (configured == null) {
            throw new IllegalStateException("camel.threadpool.config." + profileId + " is missing: the " + name
                    + " threads are configured there (see the jar's application.yaml)");
        }
        ThreadPoolProfile profile = configured.clone();
        if (profile.getPoolSize() != null && profile.getPoolSize() == 0) {
            profile.setPoolSize(Runtime.getRuntime().availableProcessors());
        }
        // with an unbounded queue a pool never grows beyond its core size; Camel's default max (20) would even
        // refuse a pool-size above it
        if (profile.getPoolSize() != null && (profile.getMaxPoolSize() == null || profile.getMaxPoolSize() < profile.getPoolSize())) {
            profile.setMaxPoolSize(profile.getPoolSize());
        }
        return camel.getExecutorServiceManager().newThreadPool(source, name, profile);
    }
}
