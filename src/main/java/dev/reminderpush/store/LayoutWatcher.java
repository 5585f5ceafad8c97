package dev.reminderpush.store;

import dev.reminderpush.ReminderProperties;
import jakarta.annotation.PostConstruct;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps this instance's {@link ShardFunction} on the fleet's layout record: read (or created) before anything
 * else uses Redis, then again every second and whenever a shard refuses a write as stale.
 */
@Component
public class LayoutWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(LayoutWatcher.class);

    private final LayoutStore store;
    private final ShardFunction shards;
    private final int configuredCount;
    private volatile LayoutStore.Record last;

    public LayoutWatcher(LayoutStore store, ShardFunction shards, ReminderProperties properties) {
        this.store = store;
        this.shards = shards;
        this.configuredCount = properties.shardCount();
    }

    @PostConstruct
    void load() {
        try {
            accept(store.loadOrCreate(configuredCount));
        } catch (RuntimeException e) {
            LOG.warn("Could not read the shard layout from Redis; writes wait until it is read: {}", e.getMessage());
        }
    }

    @Scheduled(fixedDelay = 1000, initialDelay = 1000)
    void poll() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.debug("Could not read the shard layout: {}", e.getMessage());
        }
    }

    /** Reads the record now; the latest record this instance has seen. */
    public LayoutStore.Record refresh() {
        ShardLayout known = shards.layout();
        if (known.epoch() == 0) {
            accept(store.loadOrCreate(configuredCount));
        } else {
            Optional<LayoutStore.Record> read = store.read();
            if (read.isEmpty()) {
                LOG.warn("The shard layout record is gone (Redis data lost?); writing back the one this instance knows: {}", known);
                accept(store.create(known));
            } else if (read.get().layout().epoch() < known.epoch()) {
                LOG.warn("The shard layout record ({}) is older than the one this instance knows (Redis data lost, then "
                        + "written back by an instance that missed a change?); writing back: {}", read.get().layout(), known);
                accept(store.create(known));
            } else {
                accept(read.get());
            }
        }
        return last;
    }

    /**
     * Runs a write against the layout this instance knows: refused before the layout was read (there is no telling
     * where a user lives), read again and retried when a shard says a newer layout exists (the fence).
     */
    public <T> T write(Function<ShardLayout, T> write) {
        for (int attempt = 1; ; attempt++) {
            ShardLayout layout = shards.layout();
            if (layout.epoch() == 0) {
                refresh();
                layout = shards.layout();
                if (layout.epoch() == 0) {
                    throw new StoreUnavailableException("the shard layout has not been read from Redis yet", null);
                }
            }
            try {
                return write.apply(layout);
            } catch (StaleLayoutException e) {
                if (attempt == 3) {
                    throw new StoreUnavailableException("the shard layout keeps changing; try again", e);
                }
                refresh();
            }
        }
    }

    /** The latest record read; null before the first read. */
    public LayoutStore.Record last() {
        return last;
    }

    void accept(LayoutStore.Record record) {
        last = record;
        ShardLayout before = shards.layout();
        if (shards.observe(record.layout())) {
            if (before.epoch() == 0) {
                LOG.info("Shard layout: {}", record.layout());
                if (record.layout().count() != configuredCount && !record.layout().migrating()) {
                    LOG.info("reminders.shard-count is {}, but this Redis holds {} shards: the layout in Redis wins "
                            + "(the setting only shapes a new Redis; change the count with POST /api/operator/layout)",
                            configuredCount, record.layout().count());
                }
            } else {
                LOG.info("Shard layout changed: {} (was {})", record.layout(), before);
            }
        }
    }
}
