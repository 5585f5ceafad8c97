package dev.reminderpush.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.annotation.PostConstruct;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Converts reminders stored by builds before format 2 (payload = one JSON object with the envelope fields
 * mixed into it, dead-letter record = JSON with the payload cut out by string search) into the current
 * layout ({@link StoredPayload}, {@link DeadLetterRecord}), with a real JSON parser, before Camel starts
 * any route. Runs once per key prefix ({@code <prefix>:format}); each value is replaced only if it did not
 * change meanwhile. Instances of an older build must be stopped first: they would write the old format.
 */
@Component
class StoredFormatMigration {

    static final String CURRENT = "2";
    private static final Logger LOG = LoggerFactory.getLogger(StoredFormatMigration.class);

    private final StringRedisTemplate redis;
    private final ReminderKeys keys;
    private final ShardFunction shards;
    private final ObjectMapper mapper;

    StoredFormatMigration(StringRedisTemplate redis, ReminderKeys keys, ShardFunction shards, ObjectMapper mapper) {
        this.redis = redis;
        this.keys = keys;
        this.shards = shards;
        this.mapper = mapper;
    }

    @PostConstruct
    void migrate() {
        String recorded;
        try {
            recorded = redis.opsForValue().get(keys.formatMarker());
        } catch (RuntimeException e) {
            LOG.warn("Could not read {} (Redis unavailable?); the stored format is checked at the next start: {}",
                    keys.formatMarker(), e.getMessage());
            return;
        }
        if (CURRENT.equals(recorded)) {
            return;
        }
        long converted = 0;
        for (int shard = 0; shard < shards.shardCount(); shard++) {
            converted += convert(keys.payload(shard), this::payloadFromV1);
            converted += convert(keys.dead(shard), this::deadLetterFromV1);
        }
        redis.opsForValue().set(keys.formatMarker(), CURRENT);
        if (converted > 0) {
            LOG.warn("Converted {} stored reminders and dead letters to stored format {}", converted, CURRENT);
        }
    }

    private long convert(String hash, UnaryOperator<String> conversion) {
        long converted = 0;
        try (Cursor<Map.Entry<Object, Object>> entries = redis.opsForHash().scan(hash, ScanOptions.scanOptions().count(500).build())) {
            while (entries.hasNext()) {
                Map.Entry<Object, Object> entry = entries.next();
                String old = entry.getValue().toString();
                if (old.startsWith("{")) { // format 1; format 2 values start with a digit
                    Long done = redis.execute(LuaScripts.REPLACE_IF_UNCHANGED, List.of(hash), entry.getKey().toString(), old,
                            conversion.apply(old));
                    converted += done == null ? 0 : done;
                }
            }
        }
        return converted;
    }

    /** {"rev":7,"v":1,"userId":..,"subject":..,"channel":..,"dueAt":N,"title":..,"body":..,"data":{..},"scheduledAt":N} */
    String payloadFromV1(String v1) {
        return payload(read(v1));
    }

    /** {"deadAt":N,<failure fields>,"payload":{format 1 payload}} */
    String deadLetterFromV1(String v1) {
        ObjectNode old = (ObjectNode) read(v1);
        JsonNode payload = old.remove("payload");
        try {
            return mapper.writeValueAsString(old) + "\n" + payload(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String payload(JsonNode old) {
        ObjectNode content = mapper.createObjectNode();
        content.set("title", old.get("title"));
        content.set("body", old.get("body"));
        if (old.hasNonNull("data")) {
            content.set("data", old.get("data"));
        }
        try {
            return old.get("rev").asLong() + "|" + old.get("dueAt").asLong() + "|" + old.path("channel").asText("") + "|"
                    + old.path("scheduledAt").asLong() + "|" + mapper.writeValueAsString(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
