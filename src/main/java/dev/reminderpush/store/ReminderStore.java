package dev.reminderpush.store;

import dev.reminderpush.observability.ReminderMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Schedules, cancels and reads reminders in the sharded Redis layout (README, "Redis layout"). Every
 * write is one Lua script over the keys of one shard, so it is atomic and Redis Cluster safe.
 */
@Component
public class ReminderStore {

    /** Reminders per schedule.lua call: keeps each script short so Redis never stalls on a big batch. */
    static final int SCRIPT_CHUNK = 500;

    private final StringRedisTemplate redis;
    private final ShardFunction shards;
    private final ReminderKeys keys;
    private final ReminderCodec codec;
    private final ReminderMetrics metrics;
    private final LayoutWatcher layouts;

    public ReminderStore(StringRedisTemplate redis, ShardFunction shards, ReminderKeys keys, ReminderCodec codec,
            ReminderMetrics metrics, LayoutWatcher layouts) {
        this.redis = redis;
        this.shards = shards;
        this.keys = keys;
        this.codec = codec;
        this.metrics = metrics;
        this.layouts = layouts;
    }

    public ScheduleOutcome schedule(Reminder reminder) {
        return schedule(List.of(reminder)).get(0);
    }

    /**
     * Applies a schedule command of the Kafka topic; empty when this record was applied before (a replay):
     * then nothing changes, so a replayed command never gives a delivered reminder a new revision.
     */
    public Optional<ScheduleOutcome> schedule(Reminder reminder, CommandSource source) {
        return layouts.write(layout -> {
            ScheduleOutcome[] outcome = new ScheduleOutcome[1];
            int shard = layout.shardOf(reminder.id().userId());
            if (appliedInOldShard(layout, reminder.id(), source)) {
                metrics.replayed();
                return Optional.empty();
            }
            Set<String> held = heldInOldShards(layout, List.of(reminder.id()), false);
            if (!scheduleChunk(layout, shard, List.of(0), List.of(reminder), outcome, source)) {
                leaveOldShardIfWrittenHere(layout, reminder.id());
                return Optional.empty();
            }
            leaveOldShards(layout, List.of(reminder.id()));
            return Optional.of(replacedIfHeld(outcome[0], held));
        });
    }

    /**
     * Schedules all given reminders; outcomes come back in the order of the input. When a shard refuses a chunk as
     * written by an older layout, only what was not written yet is written again under the newer one: a reminder
     * written once keeps its revision (the mover takes it along), so it is never delivered under two.
     */
    public List<ScheduleOutcome> schedule(List<Reminder> reminders) {
        ScheduleOutcome[] outcomes = new ScheduleOutcome[reminders.size()];
        Set<String> held = new HashSet<>();
        return layouts.write(layout -> {
            Map<Integer, List<Integer>> positionsByShard = new LinkedHashMap<>();
            List<ReminderId> ids = new ArrayList<>();
            for (int i = 0; i < reminders.size(); i++) {
                if (outcomes[i] == null) {
                    positionsByShard
                            .computeIfAbsent(layout.shardOf(reminders.get(i).id().userId()), s -> new ArrayList<>())
                            .add(i);
                    ids.add(reminders.get(i).id());
                }
            }
            held.addAll(heldInOldShards(layout, ids, false));
            positionsByShard.forEach((shard, positions) -> {
                for (int from = 0; from < positions.size(); from += SCRIPT_CHUNK) {
                    List<Integer> chunk = positions.subList(from, Math.min(positions.size(), from + SCRIPT_CHUNK));
                    scheduleChunk(layout, shard, chunk, reminders, outcomes, CommandSource.NONE);
                }
            });
            leaveOldShards(layout, ids);
            return Arrays.stream(outcomes).map(o -> replacedIfHeld(o, held)).toList();
        });
    }

    /**
     * During a migration, after a write to the users' new shards: removes what their old shards still hold of these
     * reminders (an entry the mover has not moved yet, or one it holds in 'moving'); the new shard's mark keeps the
     * mover from bringing it over. Without a migration, nothing to do.
     */
    private void leaveOldShards(ShardLayout layout, List<ReminderId> ids) {
        byOldShard(layout, ids).forEach((shard, shardIds) -> {
            for (int from = 0; from < shardIds.size(); from += SCRIPT_CHUNK) {
                removeFromOldShard(layout, shard, shardIds.subList(from, Math.min(shardIds.size(), from + SCRIPT_CHUNK)));
            }
        });
    }

    /**
     * During a migration, before a write to the users' new shards: the ids whose old shard holds a scheduled copy,
     * in place or in the mover's hands. Read before the write: a copy the mover takes over afterwards is in the new
     * shard by the time the write comes, and the write sees it there itself. The payload is read before 'moving',
     * the order in which move-out.lua passes an entry on. With {@code orDead}, a dead letter counts too.
     */
    private Set<String> heldInOldShards(ShardLayout layout, List<ReminderId> ids, boolean orDead) {
        Set<String> held = new HashSet<>();
        byOldShard(layout, ids).forEach((shard, shardIds) -> {
            // raise the old shard's fence first (the mover may not have reached it yet): from now on no writer of the
            // layout before this migration writes there, so nothing it acknowledges afterwards is dropped for older
            List<String> fence = List.of(keys.epoch(shard), keys.moverRun(shard));
            RedisFailures.call("fence", () -> redis.execute(LuaScripts.FENCE, fence, Long.toString(layout.epoch()), "0"));
            Object[] fields = shardIds.toArray();
            List<Object> payloads = RedisFailures.call("read", () -> redis.opsForHash().multiGet(keys.payload(shard), List.of(fields)));
            List<Object> dead = orDead ? RedisFailures.call("read", () -> redis.opsForHash().multiGet(keys.dead(shard), List.of(fields)))
                    : Collections.nCopies(fields.length, null);
            List<Object> moving = RedisFailures.call("read", () -> redis.opsForHash().multiGet(keys.moving(shard), List.of(fields)));
            for (int i = 0; i < fields.length; i++) {
                if (payloads.get(i) != null || dead.get(i) != null
                        || (moving.get(i) != null && (orDead || moving.get(i).toString().startsWith("d")))) {
                    held.add(shardIds.get(i));
                }
            }
        });
        return held;
    }

    /** The ids whose old shard is another than their new one, by old shard; none without a migration. */
    private static Map<Integer, List<String>> byOldShard(ShardLayout layout, List<ReminderId> ids) {
        Map<Integer, List<String>> byOldShard = new LinkedHashMap<>();
        if (layout.migrating()) {
            for (ReminderId id : ids) {
                int old = layout.previousShardOf(id.userId());
                if (old != layout.shardOf(id.userId())) {
                    byOldShard.computeIfAbsent(old, s -> new ArrayList<>()).add(id.toString());
                }
            }
        }
        return byOldShard;
    }

    /**
     * During a migration: whether the user's old shard applied this Kafka record already (its command mark covers
     * it, the rule of schedule.lua). A record applied under the old layout and replayed under the new one is then
     * known as a replay although the new shard has not seen the mark yet.
     */
    private boolean appliedInOldShard(ShardLayout layout, ReminderId id, CommandSource source) {
        int old = layout.previousShardOf(id.userId());
        if (!layout.migrating() || source.partition().isEmpty() || old == layout.shardOf(id.userId())) {
            return false;
        }
        Object mark = RedisFailures.call("command mark", () -> redis.opsForHash().get(keys.commands(old), source.partition()));
        if (mark == null) {
            return false;
        }
        String[] parts = mark.toString().split("\\|");
        return source.offset() <= Long.parseLong(parts[0]) && source.timestampMillis() <= Long.parseLong(parts[1]);
    }

    /**
     * A replayed record during a migration: the first application may have stopped between the new shard and the
     * old one. When the new shard holds the id's state of this migration (its mark), what the old shard still holds
     * is older and goes now, rather than when the mover comes (which drops it then anyway).
     */
    private void leaveOldShardIfWrittenHere(ShardLayout layout, ReminderId id) {
        if (layout.migrating() && String.valueOf(layout.epoch()).equals(RedisFailures.call("mark",
                () -> redis.opsForHash().get(keys.movedIn(layout.shardOf(id.userId())), id.toString())))) {
            leaveOldShards(layout, List.of(id));
        }
    }

    /** A reminder its old shard held was replaced, not created, whatever its new shard said. */
    private static ScheduleOutcome replacedIfHeld(ScheduleOutcome outcome, Set<String> heldInOldShard) {
        return outcome.created() && heldInOldShard.contains(outcome.id().toString())
                ? new ScheduleOutcome(outcome.id(), outcome.shard(), outcome.dueAt(), false, outcome.revision())
                : outcome;
    }

    /** False when the store recognised the command as a replay and wrote nothing. */
    private boolean scheduleChunk(ShardLayout layout, int shard, List<Integer> positions, List<Reminder> reminders,
            ScheduleOutcome[] outcomes, CommandSource source) {
        Object[] args = new Object[7 + positions.size() * 5];
        System.arraycopy(source.args(), 0, args, 0, 3);
        args[3] = keys.dueNudges();
        args[4] = Integer.toString(shard);
        args[5] = Long.toString(layout.epoch());
        args[6] = layout.migrating() ? Long.toString(layout.epoch()) : "";
        int a = 7;
        for (int position : positions) {
            Reminder reminder = reminders.get(position);
            args[a++] = reminder.id().toString();
            args[a++] = Long.toString(reminder.dueAt().toEpochMilli());
            args[a++] = reminder.channel() == null ? "" : reminder.channel();
            args[a++] = reminder.priority().laneArgument();
            args[a++] = codec.encodeContent(reminder);
        }
        List<?> reply = RedisFailures.call("schedule", () -> redis.execute(
                LuaScripts.SCHEDULE, keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.revision(shard),
                        keys.attempts(shard), keys.dead(shard), keys.deadAt(shard), keys.commands(shard), keys.epoch(shard),
                        keys.movedIn(shard)), args));
        if (!reply.isEmpty() && "stale".equals(String.valueOf(reply.get(0)))) {
            throw new StaleLayoutException();
        }
        if (!reply.isEmpty() && "replay".equals(String.valueOf(reply.get(0)))) {
            metrics.replayed();
            return false;
        }
        for (int i = 0; i < positions.size(); i++) {
            Reminder reminder = reminders.get(positions.get(i));
            boolean created = ((Number) reply.get(2 * i)).longValue() == 1;
            long revision = ((Number) reply.get(2 * i + 1)).longValue();
            outcomes[positions.get(i)] = new ScheduleOutcome(reminder.id(), shard, reminder.dueAt(), created, revision);
            metrics.scheduled(created);
        }
        return true;
    }

    /** Removes a scheduled or dead-lettered reminder; false when there was none. */
    public boolean cancel(ReminderId id) {
        return cancel(id, CommandSource.NONE);
    }

    /** A cancel command of the Kafka topic: false when there was none, or when this record was applied before. */
    public boolean cancel(ReminderId id, CommandSource source) {
        return layouts.write(layout -> {
            if (appliedInOldShard(layout, id, source)) {
                metrics.replayed();
                return false;
            }
            boolean heldInOld = !heldInOldShards(layout, List.of(id), true).isEmpty();
            List<String> removed = remove(layout, layout.shardOf(id.userId()), List.of(id.toString()), source, layout.migrating());
            if (removed == null) {
                metrics.replayed();
                leaveOldShardIfWrittenHere(layout, id);
                return false;
            }
            int old = layout.previousShardOf(id.userId());
            if (layout.migrating() && old != layout.shardOf(id.userId())) {
                removeFromOldShard(layout, old, List.of(id.toString()));
            }
            boolean existed = heldInOld || !removed.isEmpty();
            if (existed) {
                metrics.cancelled();
            }
            return existed;
        });
    }

    /**
     * cancel.lua in a user's old shard during a migration. A shard fenced at a newer epoch than the writer's means the
     * writer's migration finished meanwhile, and a finished migration left nothing of these ids in their old shard:
     * done, not refused (retrying the whole write would write its new shard twice).
     */
    private void removeFromOldShard(ShardLayout layout, int shard, List<String> ids) {
        try {
            remove(layout, shard, ids, CommandSource.NONE, false);
        } catch (StaleLayoutException e) {
            // done: see above
        }
    }

    /** cancel.lua in one shard: the ids that existed there, or null for a replayed command. */
    private List<String> remove(ShardLayout layout, int shard, List<String> ids, CommandSource source, boolean mark) {
        Object[] args = new Object[5 + ids.size()];
        System.arraycopy(source.args(), 0, args, 0, 3);
        args[3] = Long.toString(layout.epoch());
        args[4] = mark ? Long.toString(layout.epoch()) : "";
        for (int i = 0; i < ids.size(); i++) {
            args[5 + i] = ids.get(i);
        }
        List<?> reply = RedisFailures.call("cancel", () -> redis.execute(LuaScripts.CANCEL,
                keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.attempts(shard), keys.dead(shard),
                        keys.deadAt(shard), keys.commands(shard), keys.epoch(shard), keys.movedIn(shard), keys.moving(shard)), args));
        if (!reply.isEmpty() && reply.get(0) instanceof Number code) {
            if (code.longValue() == -2) {
                throw new StaleLayoutException();
            }
            return null; // -1: a replay
        }
        return reply.stream().map(Object::toString).toList();
    }

    /** The reminder as scheduled, being delivered, or dead-lettered; empty when unknown. */
    public Optional<StoredReminder> find(ReminderId id) {
        ShardLayout layout = shards.layout();
        Optional<StoredReminder> found = find(id, layout.shardOf(id.userId()));
        int old = layout.previousShardOf(id.userId());
        if (found.isEmpty() && layout.migrating() && old != layout.shardOf(id.userId())) {
            found = find(id, old); // not moved yet
            if (found.isEmpty()) {
                found = find(id, layout.shardOf(id.userId())); // moved between the two reads
            }
        }
        return found;
    }

    private Optional<StoredReminder> find(ReminderId id, int shard) {
        List<?> reply = RedisFailures.call("read", () -> redis.execute(LuaScripts.READ,
                keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.inflight(shard), keys.dead(shard),
                        keys.moving(shard)), id.toString()));
        Object state = reply.get(1);
        if (state == null) {
            return Optional.empty();
        }
        Priority lane = Priority.ofStored(reply.get(3));
        return Optional.of(switch (state.toString()) {
            case "scheduled" -> codec.decode(id, reply.get(0).toString(), shard, StoredReminder.State.SCHEDULED, lane);
            case "delivering" -> codec.decode(id, reply.get(0).toString(), shard, StoredReminder.State.DELIVERING, lane);
            default -> codec.decode(id, DeadLetterRecord.parse(reply.get(2).toString()).payload(), shard,
                    StoredReminder.State.DEAD, lane);
        });
    }

    /**
     * The reminders of one user, scheduled, being delivered or dead-lettered, at most {@code limit}, in no
     * particular order: for operators (the console), not for a hot path. It scans the user's shard (HSCAN of its
     * payloads and dead letters, matching {@code <userId>:*}; a user id holds no glob character), so it costs Redis
     * time in proportion to the shard's size.
     */
    public List<StoredReminder> ofUser(String userId, int limit) {
        ShardLayout layout = shards.layout();
        Set<String> ids = new LinkedHashSet<>();
        ScanOptions match = ScanOptions.scanOptions().match(userId + ":*").count(1000).build();
        List<String> hashes = new ArrayList<>();
        for (int shard : new LinkedHashSet<>(List.of(layout.shardOf(userId), layout.migrating() ? layout.previousShardOf(userId)
                : layout.shardOf(userId)))) {
            hashes.addAll(List.of(keys.payload(shard), keys.dead(shard), keys.moving(shard)));
        }
        for (String hash : hashes) {
            RedisFailures.call("scan", () -> {
                try (Cursor<Map.Entry<Object, Object>> cursor = redis.opsForHash().scan(hash, match)) {
                    while (cursor.hasNext() && ids.size() < limit) {
                        ids.add(cursor.next().getKey().toString());
                    }
                }
                return null;
            });
        }
        List<StoredReminder> found = new ArrayList<>();
        for (String id : ids) {
            find(ReminderId.parse(id)).ifPresent(found::add);
        }
        return found;
    }

    public int shardOf(String userId) {
        return shards.shardOf(userId);
    }
}
