package dev.reminderpush.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.reminderpush.observability.ReminderMetrics;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.stereotype.Component;

/** Dead letters for operators: list them page by page, redrive them to the due set, or discard them. */
@Component
public class DeadLetterStore {

    public record DeadLetter(String id, int shard, Instant deadAt, String reason, String error, int attempts,
            String channel, StoredReminder reminder) {}

    /** {@code nextCursor} is null on the last page. */
    public record Page(List<DeadLetter> items, String nextCursor, long total) {}

    public record Redriven(int redriven, int superseded, int unknown) {
        Redriven plus(Redriven other) {
            return new Redriven(redriven + other.redriven, superseded + other.superseded, unknown + other.unknown);
        }
    }

    private static final int PER_CALL = 500;

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final ShardFunction shards;
    private final ReminderCodec codec;
    private final ObjectMapper mapper;
    private final ShardHeads heads;
    private final ReminderMetrics metrics;
    private final LayoutWatcher layouts;
    private final ShardMover mover;

    public DeadLetterStore(StringRedisTemplate redis, ReminderKeys keys, ShardFunction shards, ReminderCodec codec,
            ObjectMapper mapper, ReminderMetrics metrics, ShardHeads heads, LayoutWatcher layouts, ShardMover mover) {
        this.redis = redis;
        this.layouts = layouts;
        this.mover = mover;
        this.heads = heads;
        this.keys = keys;
        this.shards = shards;
        this.codec = codec;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    /** Oldest first, shard by shard. A cursor is {@code <shard>:<offset>}; null starts at the beginning. */
    public Page list(String cursor, int limit) {
        int shard = 0;
        long offset = 0;
        if (cursor != null && !cursor.isBlank()) {
            String[] parts = cursor.split(":");
            try {
                shard = Integer.parseInt(parts[0]);
                offset = Long.parseLong(parts[1]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cursor must look like <shard>:<offset>, was " + cursor);
            }
        }
        List<DeadLetter> items = new ArrayList<>(limit);
        String next = null;
        while (shard < shards.shardCount()) {
            int want = limit - items.size();
            int s = shard;
            long from = offset;
            Set<ZSetOperations.TypedTuple<String>> page = RedisFailures.call("list dead letters",
                    () -> redis.opsForZSet().rangeWithScores(keys.deadAt(s), from, from + want));
            List<String> ids = page.stream().map(ZSetOperations.TypedTuple::getValue).limit(want).toList();
            List<Object> records = ids.isEmpty() ? List.of()
                    : RedisFailures.call("read dead letters", () -> redis.opsForHash().multiGet(keys.dead(s), List.copyOf(ids)));
            for (int i = 0; i < ids.size(); i++) {
                if (records.get(i) != null) {
                    items.add(parse(ids.get(i), shard, records.get(i).toString()));
                }
            }
            if (page.size() > want) { // this shard has more
                next = shard + ":" + (offset + want);
                break;
            }
            shard++;
            offset = 0;
            if (items.size() >= limit) {
                next = shard < shards.shardCount() ? shard + ":0" : null;
                break;
            }
        }
        return new Page(items, next, total());
    }

    public long total() {
        long total = 0;
        for (int shard = 0; shard < shards.shardCount(); shard++) {
            int s = shard;
            Long size = RedisFailures.call("count dead letters", () -> redis.opsForZSet().size(keys.deadAt(s)));
            total += size == null ? 0 : size;
        }
        return total;
    }

    public Redriven redrive(List<ReminderId> ids) {
        return layouts.write(layout -> {
            Map<Integer, List<String>> byShard = new LinkedHashMap<>();
            for (ReminderId id : ids) {
                byShard.computeIfAbsent(layout.previousShardOf(id.userId()), s -> new ArrayList<>()).add(id.toString());
            }
            Redriven result = new Redriven(0, 0, 0);
            for (Map.Entry<Integer, List<String>> shard : byShard.entrySet()) {
                result = result.plus(redrive(layout, shard.getKey(), shard.getValue()));
            }
            return result;
        });
    }

    /**
     * Redrives dead letters of users whose reminders (without a migration) live in {@code shard}. During a migration
     * the dead letters still there are moved to the users' new shards first, and redriven there: writers of a
     * migration never add to a shard its users leave.
     */
    private Redriven redrive(ShardLayout layout, int shard, List<String> ids) {
        Map<Integer, List<String>> byHome = new LinkedHashMap<>();
        for (String id : ids) {
            byHome.computeIfAbsent(layout.shardOf(ShardMover.userOf(id)), s -> new ArrayList<>()).add(id);
        }
        Redriven result = new Redriven(0, 0, 0);
        for (Map.Entry<Integer, List<String>> home : byHome.entrySet()) {
            List<String> homeIds = home.getValue();
            for (int from = 0; from < homeIds.size(); from += PER_CALL) {
                List<String> chunk = homeIds.subList(from, Math.min(homeIds.size(), from + PER_CALL));
                if (home.getKey() != shard) {
                    mover.move(shard, chunk, layout.settled(), layout.epoch());
                }
                result = result.plus(redriveIn(layout, home.getKey(), chunk));
            }
        }
        return result;
    }

    public Redriven redriveAll() {
        Redriven result = new Redriven(0, 0, 0);
        for (int shard = 0; shard < shards.shardCount(); shard++) {
            int s = shard;
            long kept = 0; // entries a redrive leaves in place (unreadable, or no record): skipped, never looped on
            while (true) {
                long from = kept;
                Set<String> ids = RedisFailures.call("list dead letters",
                        () -> redis.opsForZSet().range(keys.deadAt(s), from, from + PER_CALL - 1));
                if (ids == null || ids.isEmpty()) {
                    break;
                }
                Redriven batch = layouts.write(layout -> redrive(layout, s, List.copyOf(ids)));
                kept += batch.unknown();
                result = result.plus(batch);
            }
        }
        return result;
    }

    /** Discards a dead letter; during a migration in the user's new shard (marked) and in its old one. */
    public boolean delete(ReminderId id) {
        return layouts.write(layout -> {
            int home = layout.shardOf(id.userId());
            boolean removed = delete(layout, home, id, layout.migrating());
            int old = layout.previousShardOf(id.userId());
            if (layout.migrating() && old != home) {
                try {
                    removed |= delete(layout, old, id, false);
                } catch (StaleLayoutException e) {
                    // the migration finished meanwhile and left nothing of this id in its old shard (ReminderStore)
                }
            }
            return removed;
        });
    }

    private boolean delete(ShardLayout layout, int shard, ReminderId id, boolean mark) {
        Long removed = RedisFailures.call("delete dead letter", () -> redis.execute(LuaScripts.DEAD_DELETE,
                List.of(keys.dead(shard), keys.deadAt(shard), keys.epoch(shard), keys.movedIn(shard), keys.moving(shard),
                        keys.lanes(shard), keys.payload(shard)),
                id.toString(), Long.toString(layout.epoch()), mark ? Long.toString(layout.epoch()) : ""));
        if (removed != null && removed == -2) {
            throw new StaleLayoutException();
        }
        return removed != null && removed == 1;
    }

    private Redriven redriveIn(ShardLayout layout, int shard, List<String> ids) {
        Object[] args = new Object[ids.size() + 1];
        args[0] = Long.toString(layout.epoch());
        for (int i = 0; i < ids.size(); i++) {
            args[i + 1] = ids.get(i);
        }
        List<?> reply = RedisFailures.call("redrive", () -> redis.execute(LuaScripts.REDRIVE,
                keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.revision(shard), keys.attempts(shard),
                        keys.dead(shard), keys.deadAt(shard), keys.epoch(shard)), args));
        if (!reply.isEmpty() && "stale".equals(String.valueOf(reply.get(0)))) {
            throw new StaleLayoutException();
        }
        int redriven = 0;
        int superseded = 0;
        int unknown = 0;
        boolean high = false;
        for (Object outcome : reply) {
            int code = ((Number) outcome).intValue();
            high |= code == 4;
            switch (code) {
                case 1, 4 -> redriven++; // 4: into the high lane
                case 2 -> superseded++;
                default -> unknown++; // 0 unknown, 3 unreadable (kept for an operator)
            }
        }
        metrics.redriven(redriven);
        if (redriven > 0) {
            heads.announceDue(shard, 0, high); // due now: wake the dispatchers instead of waiting for their next tick
        }
        return new Redriven(redriven, superseded, unknown);
    }

    private DeadLetter parse(String id, int shard, String record) {
        try {
            DeadLetterRecord parts = DeadLetterRecord.parse(record);
            JsonNode node = mapper.readTree(parts.failureJson());
            StoredReminder reminder = codec.decode(ReminderId.parse(id), parts.payload(), shard, StoredReminder.State.DEAD);
            return new DeadLetter(id, shard, Instant.ofEpochMilli(node.path("deadAt").asLong()), node.path("reason").asText(),
                    node.path("error").asText(), node.path("attempts").asInt(), node.path("channel").asText(null), reminder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
