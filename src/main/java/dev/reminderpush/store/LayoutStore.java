package dev.reminderpush.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The layout record {@code <prefix>:layout} (a hash; layout-init.lua lists its fields): created by the first
 * instance, changed one step at a time by {@link Resharding} (layout-change.lua, compare-and-set on the epoch).
 */
@Component
public class LayoutStore {

    /** What {@code <prefix>:shard-count} says once the layout record exists: a release before it refuses to start. */
    static final String LEGACY_TOMBSTONE = "see-layout-record";

    /** The record and the progress of its latest migration. */
    public record Record(ShardLayout layout, long startedAt, long moved, long finishedAt) {}

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;

    public LayoutStore(StringRedisTemplate redis, ReminderKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * Reads the record, creating it when absent: from the shard count a release before the layout record left
     * in {@code <prefix>:shard-count} (mapping crc32, its data stays where it is), else from the configuration (jump).
     */
    public Record loadOrCreate(int configuredCount) {
        String legacy = redis.opsForValue().get(keys.shardCountMarker());
        if (legacy != null && !legacy.isEmpty() && legacy.chars().allMatch(Character::isDigit)) {
            int count = Integer.parseInt(legacy);
            return create(new ShardLayout(1, count, ShardHash.CRC32, null, count));
        }
        return create(new ShardLayout(1, configuredCount, ShardHash.JUMP, null, configuredCount));
    }

    /** Creates the record with {@code layout} unless one of the same or a newer epoch exists; the record as it is then. */
    public Record create(ShardLayout layout) {
        ShardLayout.Target target = layout.target();
        List<?> reply = RedisFailures.call("layout", () -> redis.execute(LuaScripts.LAYOUT_INIT, List.of(keys.layout()),
                Long.toString(layout.epoch()), Integer.toString(layout.count()), layout.hash().label(),
                Integer.toString(layout.pushPartitions()), target == null ? "" : Integer.toString(target.count()),
                target == null ? "" : target.hash().label()));
        RedisFailures.call("layout", () -> {
            redis.opsForValue().set(keys.shardCountMarker(), LEGACY_TOMBSTONE);
            return null;
        });
        return parse(reply);
    }

    public Optional<Record> read() {
        Map<Object, Object> fields = RedisFailures.call("layout", () -> redis.opsForHash().entries(keys.layout()));
        return fields.isEmpty() ? Optional.empty() : Optional.of(parse(fields));
    }

    /** Starts a migration to {@code target}; empty when the record moved since {@code epoch} was read. */
    public Optional<Record> begin(long epoch, ShardLayout.Target target) {
        return change(epoch, "begin", Integer.toString(target.count()), target.hash().label());
    }

    public Optional<Record> finish(long epoch) {
        return change(epoch, "finish");
    }

    public void countMoved(long moved) {
        change(0, "moved", Long.toString(moved));
    }

    private Optional<Record> change(long epoch, String action, String... more) {
        Object[] args = new Object[2 + more.length];
        args[0] = Long.toString(epoch);
        args[1] = action;
        System.arraycopy(more, 0, args, 2, more.length);
        List<?> reply = RedisFailures.call("layout", () -> redis.execute(LuaScripts.LAYOUT_CHANGE, List.of(keys.layout()), args));
        return "ok".equals(String.valueOf(reply.get(0))) ? Optional.of(parse((List<?>) reply.get(1))) : Optional.empty();
    }

    private static Record parse(List<?> flat) {
        Map<Object, Object> fields = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return parse(fields);
    }

    private static Record parse(Map<Object, Object> fields) {
        ShardLayout.Target target = fields.containsKey("target-count")
                ? new ShardLayout.Target(intField(fields, "target-count"), ShardHash.of((String) fields.get("target-hash")))
                : null;
        int count = intField(fields, "count");
        ShardLayout layout = new ShardLayout(longField(fields, "epoch"), count, ShardHash.of((String) fields.get("hash")), target,
                fields.containsKey("push-partitions") ? intField(fields, "push-partitions") : count);
        return new Record(layout, longField(fields, "started-at"), longField(fields, "moved"), longField(fields, "finished-at"));
    }

    private static int intField(Map<Object, Object> fields, String name) {
        return (int) longField(fields, name);
    }

    private static long longField(Map<Object, Object> fields, String name) {
        Object value = fields.get(name);
        return value == null ? 0 : Long.parseLong(value.toString());
    }
}
