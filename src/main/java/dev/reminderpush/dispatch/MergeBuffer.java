package dev.reminderpush.dispatch;

import dev.reminderpush.store.ClaimedReminder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Groups claimed reminders per (user, channel) so that reminders of one user falling due within the
 * merge window of the first one leave as one message.
 *
 * <p>A group opens with its first reminder (the anchor) and takes every reminder of the same user and
 * channel due no later than anchor + window (with a window of 0: every one claimed in the same drain). While a shard is being drained, everything claimed from it
 * waits here, so a user's reminders spread over several claim batches still meet. When the shard is
 * drained, a group leaves at once unless the claim's look-ahead shows a sibling due inside the group's
 * window: then it is held until the window closes and the next drain of the shard has claimed the
 * sibling, or at the latest until {@code window end + hold grace} (the bound documented in the README).
 *
 * <p>Only the dispatcher's passes use it (one at a time: poll tick or wake-up); the methods are synchronized for
 * memory visibility across their threads and for the shutdown path. Nothing here is the only copy: every
 * reminder in it is in flight in Redis under a lease, so a crash loses nothing.
 */
final class MergeBuffer {

    private record Key(String userId, String channel) {}

    private static final class Group {
        final long windowEnd;
        final List<ClaimedReminder> reminders = new ArrayList<>(2);
        long holdUntil; // 0 = not held

        Group(long anchorDue, long window) {
            this.windowEnd = anchorDue + window;
        }
    }

    private final long window;
    private final long holdGrace;
    private final Function<ClaimedReminder, String> channelOf;
    private final Map<Integer, Map<Key, Group>> shards = new HashMap<>();
    private int size;

    MergeBuffer(long windowMillis, long holdGraceMillis, Function<ClaimedReminder, String> channelOf) {
        this.window = windowMillis;
        this.holdGrace = holdGraceMillis;
        this.channelOf = channelOf;
    }

    /** Adds claimed reminders; returns the groups that a later reminder closed (its due time lies past their window). */
    synchronized List<OutboundMessage> add(int shard, List<ClaimedReminder> claimed) {
        Map<Key, Group> groups = shards.computeIfAbsent(shard, s -> new LinkedHashMap<>());
        List<OutboundMessage> closed = new ArrayList<>();
        // in due order: a user's requeued reminders come back side by side under one score (reap.lua), and the
        // earliest must open the group, as it did the first time
        List<ClaimedReminder> byDue = new ArrayList<>(claimed);
        byDue.sort(Comparator.comparingLong(ClaimedReminder::dueMillis));
        for (ClaimedReminder reminder : byDue) {
            Key key = new Key(reminder.id().userId(), channelOf.apply(reminder));
            Group group = groups.get(key);
            if (group != null && window > 0 && reminder.dueMillis() > group.windowEnd) { // window 0: whatever was claimed together
                closed.add(message(key, group));
                group = null;
            }
            if (group == null) {
                group = new Group(reminder.dueMillis(), window);
                groups.put(key, group);
            }
            group.reminders.add(reminder);
            size++;
        }
        return closed;
    }

    /**
     * The shard is drained up to {@code now}: release every group whose window has closed or that has no
     * sibling coming within its window; hold the others.
     */
    synchronized List<OutboundMessage> settle(int shard, long now, Map<String, Long> upcoming, boolean upcomingTruncated) {
        List<OutboundMessage> ready = new ArrayList<>();
        Map<Key, Group> groups = shards.getOrDefault(shard, Map.of());
        for (Iterator<Map.Entry<Key, Group>> it = groups.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Group> entry = it.next();
            Group group = entry.getValue();
            Long next = upcoming.get(entry.getKey().userId());
            boolean siblingComing = upcomingTruncated || (next != null && next <= group.windowEnd);
            if (window == 0 || now >= group.windowEnd || !siblingComing) {
                ready.add(message(entry.getKey(), group));
                it.remove();
            } else if (group.holdUntil == 0) {
                group.holdUntil = group.windowEnd + holdGrace;
            }
        }
        return ready;
    }

    /** Everything of one shard, held or not (the drain stopped early: no more waiting). */
    synchronized List<OutboundMessage> flush(int shard) {
        List<OutboundMessage> ready = new ArrayList<>();
        Map<Key, Group> groups = shards.remove(shard);
        if (groups != null) {
            groups.forEach((key, group) -> ready.add(message(key, group)));
        }
        return ready;
    }

    /** Held groups whose hold ran out (another instance drained their shard meanwhile). */
    synchronized List<OutboundMessage> expired(long now) {
        List<OutboundMessage> ready = new ArrayList<>();
        for (Map<Key, Group> groups : shards.values()) {
            for (Iterator<Map.Entry<Key, Group>> it = groups.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Key, Group> entry = it.next();
                if (entry.getValue().holdUntil > 0 && now >= entry.getValue().holdUntil) {
                    ready.add(message(entry.getKey(), entry.getValue()));
                    it.remove();
                }
            }
        }
        return ready;
    }

    /**
     * When the earliest window of the shard's held groups closes ({@link Long#MAX_VALUE}: none held): the shard
     * must be drained then, so the group leaves even if nothing else falls due in the shard.
     */
    synchronized long windowClosesAt(int shard) {
        long earliest = Long.MAX_VALUE;
        for (Group group : shards.getOrDefault(shard, Map.of()).values()) {
            if (group.holdUntil > 0) {
                earliest = Math.min(earliest, group.windowEnd);
            }
        }
        return earliest;
    }

    /** When the earliest hold runs out ({@link #expired}); {@link Long#MAX_VALUE}: none held. */
    synchronized long nextHoldEnd() {
        long earliest = Long.MAX_VALUE;
        for (Map<Key, Group> groups : shards.values()) {
            for (Group group : groups.values()) {
                if (group.holdUntil > 0) {
                    earliest = Math.min(earliest, group.holdUntil);
                }
            }
        }
        return earliest;
    }

    /** The earliest {@link #windowClosesAt} over all shards. */
    synchronized long windowClosesAt() {
        long earliest = Long.MAX_VALUE;
        for (int shard : shards.keySet()) {
            earliest = Math.min(earliest, windowClosesAt(shard));
        }
        return earliest;
    }

    /** Takes out every reminder still waiting (shutdown: they are given back to Redis). */
    synchronized List<ClaimedReminder> takeAll() {
        List<ClaimedReminder> all = new ArrayList<>(size);
        shards.values().forEach(groups -> groups.values().forEach(group -> all.addAll(group.reminders)));
        shards.clear();
        size = 0;
        return all;
    }

    synchronized int size() {
        return size;
    }

    private OutboundMessage message(Key key, Group group) {
        size -= group.reminders.size();
        return OutboundMessage.pending(key.userId(), key.channel(), group.reminders);
    }
}
