package dev.reminderpush.store;

/**
 * Which shard holds which user: the layout record {@code <prefix>:layout} in Redis, shared by the fleet.
 *
 * <p>{@code epoch} grows with every change. While a migration runs ({@code target} set), a user's home is its shard
 * in the target layout and its old shard ({@link #previousShardOf}) may still hold reminders that the mover has not
 * moved yet. Writers of that epoch only ever remove from the old shard, so once the mover finds nothing left to
 * move the target becomes the layout. {@code pushPartitions} fixes where inboxes and presence live: push keys never
 * move.
 *
 * @param epoch          layout version; 0 = not read from Redis yet (writers wait for a confirmed layout)
 * @param count          shard count of the settled layout
 * @param hash           user to shard mapping of the settled layout
 * @param target         the layout being migrated to, or null
 * @param pushPartitions partitions of the push inboxes and presence keys (CRC-32 mod this), fixed at creation
 */
public record ShardLayout(long epoch, int count, ShardHash hash, Target target, int pushPartitions) {

    /** A shard count and mapping. */
    public record Target(int count, ShardHash hash) {

        public int shardOf(String userId) {
            return hash.shardOf(userId, count);
        }
    }

    public boolean migrating() {
        return target != null;
    }

    /** Where the user's reminders are written and looked for first. */
    public int shardOf(String userId) {
        return target != null ? target.shardOf(userId) : hash.shardOf(userId, count);
    }

    /** During a migration, the user's shard in the layout being left (maybe still holding some of its reminders). */
    public int previousShardOf(String userId) {
        return hash.shardOf(userId, count);
    }

    /** Shards that may hold reminders now: dispatchers, reapers, gauges and listings walk 0 .. this - 1. */
    public int activeShards() {
        return Math.max(count, target == null ? 0 : target.count());
    }

    /** The layout the fleet ends up in: the target while migrating. */
    public Target settled() {
        return target != null ? target : new Target(count, hash);
    }

    public int pushPartitionOf(String userId) {
        return ShardHash.CRC32.shardOf(userId, pushPartitions);
    }

    @Override
    public String toString() {
        return "epoch " + epoch + ", " + count + " shards (" + hash.label() + ")"
                + (target == null ? "" : ", migrating to " + target.count() + " (" + target.hash().label() + ")")
;
    }
}
