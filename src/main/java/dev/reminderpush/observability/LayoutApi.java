package dev.reminderpush.observability;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.ingest.ApiReplies;
import dev.reminderpush.ingest.InvalidReminderException;
import dev.reminderpush.store.LayoutStore;
import dev.reminderpush.store.LayoutWatcher;
import dev.reminderpush.store.Resharding;
import dev.reminderpush.store.ShardHash;
import dev.reminderpush.store.ShardLayout;
import dev.reminderpush.store.StoreUnavailableException;
import java.io.IOException;
import java.time.Instant;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * The shard layout for operators (routes/operator-api.camel.yaml): read it with the progress of its latest
 * migration, or start a migration to another shard count (online resharding, {@link Resharding}).
 */
@Component
public class LayoutApi {

    /** A shard count and mapping. */
    public record Shards(int count, String hash) {}

    /**
     * The layout record: {@code target} while a migration runs; {@code moved}, {@code startedAt} and
     * {@code finishedAt} describe the latest migration (absent when there was none).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Layout(long epoch, Shards shards, Shards target, boolean migrating, long moved, Instant startedAt,
            Instant finishedAt, int pushPartitions) {}

    private final LayoutWatcher watcher;
    private final Resharding resharding;
    private final ApiReplies replies;
    private final ObjectMapper mapper;

    public LayoutApi(LayoutWatcher watcher, Resharding resharding, ApiReplies replies, ObjectMapper mapper) {
        this.watcher = watcher;
        this.resharding = resharding;
        this.replies = replies;
        this.mapper = mapper;
    }

    public void read(Message message) {
        LayoutStore.Record record;
        try {
            record = watcher.refresh();
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("the shard layout could not be read from Redis", e);
        }
        if (record == null) {
            throw new StoreUnavailableException("the shard layout could not be read from Redis", null);
        }
        replies.json(message, 200, of(record));
    }

    /** Body {@code {"shardCount": 64, "hash": "jump"}} (hash optional, default jump): 202 with the new record. */
    public void reshard(Message message) {
        JsonNode body;
        try {
            byte[] raw = message.getBody(byte[].class);
            body = raw == null || raw.length == 0 ? mapper.createObjectNode() : mapper.readTree(raw);
        } catch (IOException e) {
            throw new InvalidReminderException("malformed_json", null, "malformed JSON: the body must be a JSON object");
        }
        if (body == null || !body.isObject()) {
            throw new InvalidReminderException("invalid_document", null, "the body must be a JSON object");
        }
        JsonNode count = body.get("shardCount");
        if (count == null || !count.canConvertToInt() || !count.isIntegralNumber() || count.asInt() < 1 || count.asInt() > 16384) {
            throw new InvalidReminderException("invalid_field", "shardCount", "shardCount must be a whole number from 1 to 16384");
        }
        JsonNode hashNode = body.get("hash");
        ShardHash hash;
        try {
            hash = hashNode == null || hashNode.isNull() ? ShardHash.JUMP : ShardHash.of(hashNode.isTextual() ? hashNode.asText() : "");
        } catch (IllegalArgumentException e) {
            throw new InvalidReminderException("invalid_field", "hash", "hash must be \"jump\" or \"crc32\"");
        }
        LayoutStore.Record started;
        try {
            started = resharding.start(count.asInt(), hash);
        } catch (IllegalArgumentException e) {
            throw new InvalidReminderException("invalid_field", "shardCount", e.getMessage());
        } catch (IllegalStateException e) {
            replies.json(message, 409, new ApiReplies.ApiError("conflict", null, e.getMessage()));
            return;
        }
        replies.json(message, 202, of(started));
    }

    static Layout of(LayoutStore.Record record) {
        ShardLayout layout = record.layout();
        ShardLayout.Target target = layout.target();
        return new Layout(layout.epoch(), new Shards(layout.count(), layout.hash().label()),
                target == null ? null : new Shards(target.count(), target.hash().label()), layout.migrating(),
                record.moved(), instant(record.startedAt()), instant(record.finishedAt()), layout.pushPartitions());
    }

    private static Instant instant(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }
}
