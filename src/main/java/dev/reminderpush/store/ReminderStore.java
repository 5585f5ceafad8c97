package dev.reminderpush.store;

import dev.reminderpush.observability.ReminderMetrics;
import java.util.ArrayList;
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

    public ReminderStore(StringRedisTemplate redis, ShardFunction shards, ReminderKeys keys, ReminderCodec codec,
            ReminderMetrics metrics) {
        this.redis = redis;
        this.shards = shards;
        this.keys = keys;
        this.codec = codec;
        this.metrics = metrics;
    }

    public ScheduleOutcome schedule(Reminder reminder) {
        return schedule(List.of(reminder)).get(0);
    }

    /**
     * Applies a schedule command of the Kafka topic; empty when this record was applied before (a replay):
     * then nothing changes, so a replayed command never gives a delivered reminder a new revision.
     */
    public Optional<ScheduleOutcome> schedule(Reminder reminder, CommandSource source) {
        ScheduleOutcome[] outcome = new ScheduleOutcome[1];
        int shard = shards.shardOf(reminder.id().userId());
        return scheduleChunk(shard, List.of(0), List.of(reminder), outcome, source) ? Optional.of(outcome[0]) : Optional.empty();
    }

    /** Schedules all given reminders; outcomes come back in the order of the input. */
    public List<ScheduleOutcome> schedule(List<Reminder> reminders) {
        Map<Integer, List<Integer>> positionsByShard = new LinkedHashMap<>();
        for (int i = 0; i < reminders.size(); i++) {
            positionsByShard
                    .computeIfAbsent(shards.shardOf(reminders.get(i).id().userId()), s -> new ArrayList<>())
                    .add(i);
        }
        ScheduleOutcome[] outcomes = new ScheduleOutcome[reminders.size()];
        positionsByShard.forEach((shard, positions) -> {
            for (int from = 0; from < positions.size(); from += SCRIPT_CHUNK) {
                List<Integer> chunk = positions.subList(from, Math.min(positions.size(), from + SCRIPT_CHUNK));
                scheduleChunk(shard, chunk, reminders, outcomes, CommandSource.NONE);
            }
        });
        return List.of(outcomes);
    }

    /** False when the store recognised the command as a replay and wrote nothing. */
    private boolean scheduleChunk(int shard, List<Integer> positions, List<Reminder> reminders, ScheduleOutcome[] outcomes,
            CommandSource source) {
        Object[] args = new Object[5 + positions.size() * 4];
        System.arraycopy(source.args(), 0, args, 0, 3);
        args[3] = keys.dueNudges();
        args[4] = Integer.toString(shard);
        int a = 5;
        for (int position : positions) {
            Reminder reminder = reminders.get(position);
            args[a++] = reminder.id().toString();
            args[a++] = Long.toString(reminder.dueAt().toEpochMilli());
            args[a++] = reminder.channel() == null ? "" : reminder.channel();
            args[a++] = codec.encodeContent(reminder);
        }
        List<?> reply = RedisFailures.call("schedule", () -> redis.execute(
                LuaScripts.SCHEDULE, List.of(keys.due(shard), keys.payload(shard), keys.revision(shard),
                        keys.attempts(shard), keys.dead(shard), keys.deadAt(shard), keys.commands(shard)), args));
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
        int shard = shards.shardOf(id.userId());
        Object[] args = new Object[4];
        args[0] = id.toString();
        System.arraycopy(source.args(), 0, args, 1, 3);
        Long removed = RedisFailures.call("cancel", () -> redis.execute(LuaScripts.CANCEL,
                List.of(keys.due(shard), keys.payload(shard), keys.attempts(shard), keys.dead(shard), keys.deadAt(shard),
                        keys.commands(shard)), args));
        if (removed != null && removed == -1) {
            metrics.replayed();
            return false;
        }
        boolean existed = removed != null && removed == 1;
        if (existed) {
            metrics.cancelled();
        }
        return existed;
    }

    /** The reminder as scheduled, being delivered, or dead-lettered; empty when unknown. */
    public Optional<StoredReminder> find(ReminderId id) {
        int shard = shards.shardOf(id.userId());
        List<?> reply = RedisFailures.call("read", () -> redis.execute(LuaScripts.READ,
                List.of(keys.due(shard), keys.payload(shard), keys.inflight(shard), keys.dead(shard)), id.toString()));
        Object state = reply.get(1);
        if (state == null) {
            return Optional.empty();
        }
        return Optional.of(switch (state.toString()) {
            case "scheduled" -> codec.decode(id, reply.get(0).toString(), shard, StoredReminder.State.SCHEDULED);
            case "delivering" -> codec.decode(id, reply.get(0).toString(), shard, StoredReminder.State.DELIVERING);
            default -> codec.decode(id, DeadLetterRecord.parse(reply.get(2).toString()).payload(), shard,
                    StoredReminder.State.DEAD);
        });
    }

    /**
     * The reminders of one user, scheduled, being delivered or dead-lettered, at most {@code limit}, in no
     * particular order: for operators (the console), not for a hot path. It scans the user's shard (HSCAN of its
     * payloads and dead letters, matching {@code <userId>:*}; a user id holds no glob character), so it costs Redis
     * time in proportion to the shard's size.
     */
    public List<StoredReminder> ofUser(String userId, int limit) {
        int shard = shards.shardOf(userId);
        Set<String> ids = new LinkedHashSet<>();
        ScanOptions match = ScanOptions.scanOptions().match(userId + ":*").count(1000).build();
        for (String hash : List.of(keys.payload(shard), keys.dead(shard))) {
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
