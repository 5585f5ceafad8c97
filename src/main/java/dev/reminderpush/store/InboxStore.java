package dev.reminderpush.store;

import dev.reminderpush.ReminderProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The websocket channel's side of the store: each user's inbox (a capped Redis stream in the user's shard),
 * and which instances hold connections of a user (presence). inbox-append.lua, inbox-ack.lua and presence.lua
 * are documented in their headers.
 */
@Component
public class InboxStore {

    /** A message in an inbox: its stream entry id and the message JSON. */
    public record Entry(StreamId id, String message) {}

    /** A message for a user's inbox. */
    public record Message(String userId, String messageId, String json) {}

    /** Longest a redelivered message is recognised as appended before (leases, retries and reaping take minutes). */
    static final Duration REPEAT_WINDOW = Duration.ofHours(1);
    private static final String FIELD = "m";

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final ShardFunction shards;
    private final ReminderProperties.Push push;

    public InboxStore(StringRedisTemplate redis, ReminderKeys keys, ShardFunction shards, ReminderProperties properties) {
        this.redis = redis;
        this.keys = keys;
        this.shards = shards;
        this.push = properties.push();
    }

    /** Appends a message (once per messageId) and publishes it to every instance where its user is present. */
    public StreamId append(String userId, String messageId, String json) {
        return append(partitionOf(userId), List.of(new Message(userId, messageId, json))).get(0);
    }

    /**
     * Appends messages of users of push partition {@code shard} ({@link #partitionOf}) in one atomic
     * call (all or none), each once per messageId, and publishes each to the instances where its user is present.
     * Returns their entry ids, in order.
     */
    /**
     * The push partition of a user: inboxes and presence keys live in the slot of that shard number, CRC-32 mod the
     * layout's push partitions (fixed when the layout was created, so resharding never moves an inbox).
     */
    public int partitionOf(String userId) {
        return shards.layout().pushPartitionOf(userId);
    }

    public List<StreamId> append(int shard, List<Message> messages) {
        long maxAge = push.inboxMaxAge().toMillis();
        List<String> scriptKeys = new ArrayList<>(messages.size() * 3);
        List<String> args = new ArrayList<>(4 + messages.size() * 2);
        args.add(Integer.toString(push.inboxMaxLength()));
        args.add(Long.toString(maxAge));
        args.add(keys.pushChannelPrefix());
        args.add(Long.toString(Math.min(maxAge, REPEAT_WINDOW.toMillis())));
        for (Message message : messages) {
            scriptKeys.add(keys.inbox(shard, message.userId()));
            scriptKeys.add(keys.inboxMessage(shard, message.messageId()));
            scriptKeys.add(keys.presence(shard, message.userId()));
            args.add(message.json());
            args.add(message.userId());
        }
        List<?> reply = RedisFailures.call("inbox append", () -> redis.execute(LuaScripts.INBOX_APPEND, scriptKeys,
                args.toArray()));
        List<StreamId> ids = new ArrayList<>(reply.size());
        reply.forEach(id -> ids.add(StreamId.parse(String.valueOf(id))));
        return ids;
    }


    /** Publishes a topic broadcast to every instance; returns how many subscribers Redis counted (on its node). */
    public long broadcast(String topic, String messageId, String json) {
        Long receivers = RedisFailures.call("broadcast", () -> redis.convertAndSend(keys.broadcasts(), topic + "\n" + messageId + "\n" + json));
        return receivers == null ? 0 : receivers;
    }

    /** Up to {@code limit} messages of the user's inbox after {@code after} (null: from the oldest), oldest first. */
    public List<Entry> after(String userId, StreamId after, int limit) {
        String key = keys.inbox(partitionOf(userId), userId);
        Range<String> range = Range.rightUnbounded(Range.Bound.inclusive(after == null ? "-" : after.next().toString()));
        List<MapRecord<String, Object, Object>> records = RedisFailures.call("inbox read",
                () -> redis.opsForStream().range(key, range, Limit.limit().count(limit)));
        List<Entry> entries = new ArrayList<>(records == null ? 0 : records.size());
        if (records != null) {
            for (MapRecord<String, Object, Object> record : records) {
                entries.add(new Entry(StreamId.parse(record.getId().getValue()), String.valueOf(record.getValue().get(FIELD))));
            }
        }
        return entries;
    }

    /** The user read everything up to {@code upTo}: those messages leave the inbox. Returns how many did. */
    public long acknowledge(String userId, StreamId upTo) {
        String key = keys.inbox(partitionOf(userId), userId);
        Long removed = RedisFailures.call("inbox ack", () -> redis.execute(LuaScripts.INBOX_ACK, List.of(key), upTo.next().toString()));
        return removed == null ? 0 : removed;
    }

    /** This instance holds connections of these users until {@code ttl} from now (unless renewed). One call per shard. */
    public void present(String instanceId, Collection<String> userIds, Duration ttl) {
        presence(instanceId, userIds, ttl.toMillis());
    }

    /** This instance no longer holds connections of these users. */
    public void absent(String instanceId, Collection<String> userIds) {
        presence(instanceId, userIds, 0);
    }

    private void presence(String instanceId, Collection<String> userIds, long ttlMillis) {
        Map<Integer, List<String>> byShard = new TreeMap<>();
        for (String userId : userIds) {
            int shard = partitionOf(userId);
            byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(keys.presence(shard, userId));
        }
        RuntimeException failure = null;
        for (List<String> shardKeys : byShard.values()) {
            for (int from = 0; from < shardKeys.size(); from += 1000) {
                List<String> slice = shardKeys.subList(from, Math.min(shardKeys.size(), from + 1000));
                try {
                    RedisFailures.call("presence", () -> redis.execute(LuaScripts.PRESENCE, slice, instanceId, Long.toString(ttlMillis)));
                } catch (RuntimeException e) { // one Redis node away costs only its own shards' presence
                    failure = e;
                    break;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
