package dev.reminderpush.store;

import dev.reminderpush.ReminderProperties;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Redis key names. Every key of a shard carries the hash tag {@code {<shard>}}, so one shard lives in
 * one Redis Cluster slot and a Lua script may touch all of a shard's keys at once.
 */
@Component
public class ReminderKeys {

    private final String prefix;

    public ReminderKeys(ReminderProperties properties) {
        this.prefix = properties.keyPrefix();
    }

    /** Sorted set: member = reminder id, score = due time in epoch millis; the normal lane. */
    public String due(int shard) {
        return shardKey(shard, "due");
    }

    /** Sorted set of one lane's scheduled reminders: {@code due} (normal, the set from before lanes), {@code due:high}, {@code due:low}. */
    public String due(int shard, Priority lane) {
        return lane == Priority.NORMAL ? due(shard) : shardKey(shard, "due:" + lane.label());
    }

    /** Hash: reminder id -> {@code high} or {@code low}, for scheduled reminders and dead letters; absent means normal. */
    public String lanes(int shard) {
        return shardKey(shard, "lanes");
    }

    /** The given keys, then the high and low lanes' due sets and the lane marks: what every lane-aware script appends. */
    public List<String> withLanes(int shard, String... keys) {
        List<String> all = new ArrayList<>(List.of(keys));
        all.addAll(List.of(due(shard, Priority.HIGH), due(shard, Priority.LOW), lanes(shard)));
        return all;
    }

    /** Hash: reminder id -> stored payload: envelope and content ({@link StoredPayload}). */
    public String payload(int shard) {
        return shardKey(shard, "payload");
    }

    /** String counter: the last revision handed out in this shard. */
    public String revision(int shard) {
        return shardKey(shard, "rev");
    }

    /** Sorted set: claimed reminder id -> lease expiry in epoch millis. */
    public String inflight(int shard) {
        return shardKey(shard, "inflight");
    }

    /** Hash: claimed reminder id -> {@code <revision>|<claim id>} of the live claim. */
    public String claims(int shard) {
        return shardKey(shard, "claims");
    }

    /** Hash: reminder id -> how many leases of its current revision expired. */
    public String attempts(int shard) {
        return shardKey(shard, "attempts");
    }

    /** Hash: reminder id -> dead-letter record (failure and payload). */
    public String dead(int shard) {
        return shardKey(shard, "dead");
    }

    /** Sorted set: dead-lettered reminder id -> when it was dead-lettered (epoch millis). */
    public String deadAt(int shard) {
        return shardKey(shard, "dead-at");
    }

    /** String with expiry: the instance draining this shard right now. */
    public String drainer(int shard) {
        return shardKey(shard, "drainer");
    }

    /** Hash: Kafka command partition -> {@code <offset>|<applied at>} of the last command this shard applied from it. */
    public String commands(int shard) {
        return shardKey(shard, "commands");
    }

    /** Stream: the websocket channel's messages of one user (field {@code m}: the message JSON), capped by length and age. */
    public String inbox(int shard, String userId) {
        return shardKey(shard, "inbox:" + userId);
    }

    /** String with expiry: the inbox entry id a message got (a redelivered message is not appended twice). */
    public String inboxMessage(int shard, String messageId) {
        return shardKey(shard, "inbox-msg:" + messageId);
    }

    /** Sorted set: instance id -> until when it holds connections of this user (epoch millis). */
    public String presence(int shard, String userId) {
        return shardKey(shard, "presence:" + userId);
    }

    /** Pub/sub channel of one instance: messages for users connected to it ({@code <userId>\n<entry id>\n<previous id>\n<JSON>}). */
    public String pushChannel(String instanceId) {
        return pushChannelPrefix() + instanceId;
    }

    /** Pub/sub channel of every instance: topic broadcasts ({@code <topic>\n<messageId>\n<message JSON>}). */
    public String broadcasts() {
        return prefix + ":broadcasts";
    }

    public String pushChannelPrefix() {
        return prefix + ":push:";
    }

    /** Sorted set: dispatching instance id -> when it last renewed its leases (observability.FleetRegistry). */
    public String instances() {
        return prefix + ":instances";
    }

    /** Counter: INCR mod shard count picks the shard where an instance starts its walk. */
    public String cursor() {
        return prefix + ":cursor";
    }

    /**
     * Pub/sub channel: {@code <shard>|<due epoch millis>} when a write gave a shard an earlier due time than it
     * had, so every dispatcher can wake up for it (schedule.lua, reap, redrive).
     */
    public String dueNudges() {
        return prefix + ":due-nudges";
    }

    /** Hash: the shard layout (store.LayoutStore, layout-init.lua). */
    public String layout() {
        return prefix + ":layout";
    }

    /** String with expiry: the instance running the shard mover now (store.Resharding). */
    public String moverLock() {
        return prefix + ":mover";
    }

    /** Counter: the mover runs so far; each run's token (store.Resharding). */
    public String moverRuns() {
        return prefix + ":mover-runs";
    }

    /** String: the newest mover run that fenced this shard; the scripts of older runs are refused (fence.lua). */
    public String moverRun(int shard) {
        return shardKey(shard, "mover-run");
    }

    /** String: the newest layout epoch a write to this shard carried; older writers are refused (the fence). */
    public String epoch(int shard) {
        return shardKey(shard, "epoch");
    }

    /** Hash: reminder id -> the migration epoch in which this shard became its home (written or moved in). */
    public String movedIn(int shard) {
        return shardKey(shard, "moved-in");
    }

    /** Hash: reminder id -> the entry taken out of this shard by the mover and not yet written to its new shard. */
    public String moving(int shard) {
        return shardKey(shard, "moving");
    }

    /** String: before the layout record, the shard count the data was written with; now a tombstone for old releases. */
    public String shardCountMarker() {
        return prefix + ":shard-count";
    }

    /** String: the version of the stored formats (payloads, dead-letter records) of this key prefix. */
    public String formatMarker() {
        return prefix + ":format";
    }

    private String shardKey(int shard, String name) {
        return prefix + ":{" + shard + "}:" + name;
    }
}
