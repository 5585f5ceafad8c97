package dev.reminderpush.store;

import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Moves reminders and dead letters to the shard the layout being migrated to gives their user (README, "Online
 * resharding"). Each step is idempotent, so a mover that dies anywhere is simply run again: move-out.lua takes
 * entries out of the old shard into its 'moving' hash, move-in.lua writes them into the new shard (skipping ids
 * the new shard holds a newer state of), then they leave 'moving'. Both scripts refuse an older epoch or an older
 * mover run (fence.lua), so a mover that lost its lease while paused changes nothing once it wakes up.
 */
@Component
public class ShardMover {

    /** Ids per script call: keeps each call short, so Redis never stalls on a big shard. */
    static final int BATCH = 500;

    /** No mover run: a redrive moving its dead letters home, checked against the epoch only. */
    static final String NOT_A_MOVER = "";

    /** What one drain of a shard did: entries written to their new shard, and reminders still in flight here. */
    public record Drain(long moved, long inFlight) {

        Drain plus(Drain other) {
            return new Drain(moved + other.moved, inFlight + other.inFlight);
        }
    }

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final ExecutorService writers = Executors.newFixedThreadPool(8, r -> {
        Thread thread = new Thread(r, "shard-mover-write");
        thread.setDaemon(true);
        return thread;
    });

    public ShardMover(StringRedisTemplate redis, ReminderKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @PreDestroy
    void stop() {
        writers.shutdownNow();
    }

    /**
     * Moves out of {@code shard} everything whose home under {@code target} is another shard, first what a mover
     * before left in 'moving'. {@code epoch} is the migration's (it marks the ids in their new shard), {@code token}
     * this mover run's; {@code keepGoing} is asked before every batch (the lease, the layout), and a false stops the
     * drain with {@link StaleLayoutException}.
     */
    public Drain drain(int shard, ShardLayout.Target target, long epoch, String token, BooleanSupplier keepGoing) {
        Map<Object, Object> left = RedisFailures.call("moving", () -> redis.opsForHash().entries(keys.moving(shard)));
        Drain done = new Drain(writeIn(shard, left, target, epoch, token), 0);
        List<String> leaving = new ArrayList<>();
        ScanOptions options = ScanOptions.scanOptions().count(1000).build();
        for (String hash : List.of(keys.payload(shard), keys.dead(shard))) {
            RedisFailures.call("scan", () -> {
                try (Cursor<Map.Entry<Object, Object>> entries = redis.opsForHash().scan(hash, options)) {
                    while (entries.hasNext()) {
                        String id = entries.next().getKey().toString();
                        if (target.shardOf(userOf(id)) != shard) {
                            leaving.add(id);
                        }
                    }
                }
                return null;
            });
        }
        for (List<String> batch : batchesByUser(leaving, id -> id)) {
            if (!keepGoing.getAsBoolean()) {
                throw new StaleLayoutException();
            }
            done = done.plus(move(shard, batch, target, epoch, token));
        }
        // what another hand (a redrive) took out of this shard and has not written in yet: the pass is not final,
        // the next one finishes it (move-in is idempotent)
        Long held = RedisFailures.call("moving", () -> redis.opsForHash().size(keys.moving(shard)));
        if (held != null && held > 0) {
            done = done.plus(new Drain(0, held));
        }
        if (shard >= target.count()) {
            // a shard that goes away: also wait for claims whose reminder was replaced or cancelled meanwhile (no
            // payload here any more), so their acknowledgement or lease expiry happens while dispatchers still
            // visit this shard, and nothing is left in it
            Long claimed = RedisFailures.call("in flight", () -> redis.opsForZSet().zCard(keys.inflight(shard)));
            done = new Drain(done.moved(), Math.max(done.inFlight(), claimed == null ? 0 : claimed));
        }
        return done;
    }

    /** Moves these reminders (or dead letters) of {@code shard} to their home under {@code target} now (a redrive). */
    public Drain move(int shard, List<String> ids, ShardLayout.Target target, long epoch) {
        return move(shard, ids, target, epoch, NOT_A_MOVER);
    }

    private Drain move(int shard, List<String> ids, ShardLayout.Target target, long epoch, String token) {
        List<String> idKeys = keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.inflight(shard),
                keys.attempts(shard), keys.dead(shard), keys.deadAt(shard), keys.moving(shard), keys.epoch(shard),
                keys.moverRun(shard));
        Object[] args = new Object[2 + ids.size()];
        args[0] = Long.toString(epoch);
        args[1] = token;
        System.arraycopy(ids.toArray(), 0, args, 2, ids.size());
        List<?> reply = RedisFailures.call("move out", () -> redis.execute(LuaScripts.MOVE_OUT, idKeys, args));
        long inFlight = ((Number) reply.get(0)).longValue();
        if (inFlight < 0) {
            throw new StaleLayoutException(); // a newer epoch or mover run fenced the shard
        }
        Map<Object, Object> taken = new LinkedHashMap<>();
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            taken.put(reply.get(i).toString(), reply.get(i + 1).toString());
        }
        return new Drain(writeIn(shard, taken, target, epoch, token), inFlight);
    }

    /** Writes entries taken out of {@code source} into their new shards, then forgets them in 'moving'. */
    private long writeIn(int source, Map<Object, Object> taken, ShardLayout.Target target, long epoch, String token) {
        if (taken.isEmpty()) {
            return 0;
        }
        Map<Object, Object> marks = RedisFailures.call("command marks", () -> redis.opsForHash().entries(keys.commands(source)));
        Map<Integer, List<Map.Entry<Object, Object>>> byHome = new LinkedHashMap<>();
        taken.entrySet().forEach(e -> byHome.computeIfAbsent(target.shardOf(userOf(e.getKey().toString())), s -> new ArrayList<>()).add(e));
        // the new shards' writes at once (growing 16 -> 64, a batch has some 48 of them): the calls share the
        // connection, one round trip for all rather than one each; 'moving' is cleared once all of them are in
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (Map.Entry<Integer, List<Map.Entry<Object, Object>>> home : byHome.entrySet()) {
            for (List<Map.Entry<Object, Object>> chunk : batchesByUser(home.getValue(), e -> e.getKey().toString())) {
                writes.add(CompletableFuture.supplyAsync(() -> moveIn(home.getKey(), marks, chunk, epoch, token), writers));
            }
        }
        long written = 0;
        for (CompletableFuture<Long> write : writes) {
            try {
                written += write.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        Object[] ids = taken.keySet().toArray();
        RedisFailures.call("moved", () -> redis.opsForHash().delete(keys.moving(source), ids));
        return written;
    }

    /**
     * Merges Kafka command marks into {@code shard} (the higher offset wins), with no entries: before a migration
     * finishes, every new shard learns what every old one applied, so no replayed record is applied twice.
     */
    public void mergeMarks(int shard, Map<Object, Object> marks, long epoch, String token) {
        moveIn(shard, marks, List.of(), epoch, token);
    }

    private long moveIn(int shard, Map<Object, Object> marks, List<Map.Entry<Object, Object>> entries, long epoch, String token) {
        List<Object> args = new ArrayList<>(5 + 2 * marks.size() + 2 * entries.size());
        args.add(Long.toString(epoch));
        args.add(token);
        args.add(keys.dueNudges());
        args.add(Integer.toString(shard));
        args.add(Integer.toString(marks.size()));
        marks.forEach((source, mark) -> {
            args.add(source.toString());
            args.add(mark.toString());
        });
        entries.forEach(e -> {
            args.add(e.getKey().toString());
            args.add(e.getValue().toString());
        });
        Long in = RedisFailures.call("move in", () -> redis.execute(LuaScripts.MOVE_IN,
                keys.withLanes(shard, keys.due(shard), keys.payload(shard), keys.revision(shard), keys.dead(shard),
                        keys.deadAt(shard), keys.movedIn(shard), keys.commands(shard), keys.epoch(shard), keys.moverRun(shard)),
                args.toArray()));
        if (in != null && in < 0) {
            throw new StaleLayoutException(); // a newer epoch or mover run fenced the shard: leave it in 'moving'
        }
        return in == null ? 0 : in;
    }

    /**
     * Batches of about {@link #BATCH}, never cutting one user's entries apart: reminders a crash sent back together
     * arrive in their new shard together, and are merged into the same message again.
     */
    static <T> List<List<T>> batchesByUser(List<T> items, Function<T, String> id) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(item -> userOf(id.apply(item))));
        List<List<T>> batches = new ArrayList<>();
        List<T> batch = new ArrayList<>();
        String lastUser = null;
        for (T item : sorted) {
            String user = userOf(id.apply(item));
            if (batch.size() >= BATCH && !user.equals(lastUser)) {
                batches.add(batch);
                batch = new ArrayList<>();
            }
            batch.add(item);
            lastUser = user;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    /** The user part of a reminder id ({@code <userId>:<subject>}; a user id holds no ':'). */
    static String userOf(String id) {
        int colon = id.indexOf(':');
        return colon < 0 ? id : id.substring(0, colon);
    }
}
