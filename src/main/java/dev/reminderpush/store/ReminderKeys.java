package dev.reminderpush.store;

import dev.reminderpush.ReminderProperties;
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

    /** Sorted set: member = reminder id, score = due time in epoch millis. */
    public String due(int shard) {
        return shardKey(shard, "due");
    }

    /** Hash: reminder id -> JSON payload (with its revision). */
    public String payload(int shard) {
        return shardKey(shard, "payload");
    }

    /** String counter: the last revision handed out in this shard. */
    public String revision(int shard) {
        return shardKey(shard, "rev");
    }

    /** String: the shard count the data in this Redis was written with. */
    public String shardCountMarker() {
        return prefix + ":shard-count";
    }

    private String shardKey(int shard, String name) {
        return prefix + ":{" + shard + "}:" + name;
    }
}
