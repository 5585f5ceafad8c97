package dev.reminderpush.store;

import dev.reminderpush.ReminderProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * This instance's view of the {@link ShardLayout}: where a user's reminders live and which shards to walk. It
 * starts from the configuration (epoch 0, unconfirmed) and follows the layout record in Redis
 * ({@link LayoutWatcher}); writes carry the epoch, and a shard that has seen a newer one refuses them.
 */
@Component
public class ShardFunction {

    private volatile ShardLayout layout;

    @Autowired
    public ShardFunction(ReminderProperties properties) {
        int count = requirePositive(properties.shardCount());
        this.layout = new ShardLayout(0, count, ShardHash.JUMP, null, count);
    }

    /** A fixed layout of {@code shardCount} shards (jump hash), confirmed: for tests and tools. */
    public ShardFunction(int shardCount) {
        this(new ShardLayout(1, requirePositive(shardCount), ShardHash.JUMP, null, shardCount));
    }

    public ShardFunction(ShardLayout layout) {
        this.layout = layout;
    }

    public int shardOf(String userId) {
        return layout.shardOf(userId);
    }

    /** The shards to walk (see {@link ShardLayout#activeShards()}). */
    public int shardCount() {
        return layout.activeShards();
    }

    public ShardLayout layout() {
        return layout;
    }

    /** Takes a layout read from Redis; an older one than this instance knows is ignored. True when it changed. */
    public synchronized boolean observe(ShardLayout read) {
        if (read.epoch() < layout.epoch() || read.equals(layout)) {
            return false;
        }
        layout = read;
        return true;
    }

    private static int requirePositive(int shardCount) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, was " + shardCount);
        }
        return shardCount;
    }
}
