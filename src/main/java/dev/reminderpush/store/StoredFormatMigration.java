package dev.reminderpush.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.annotation.PostConstruct;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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

    StoredFormatMigration(StringRedisTemplate redis, ReminderKeys keys, ShardFunction shards, LayoutWatcher layoutRead) {
        this.redis = redis;
        this.keys = keys;
        this.shards = shards;
        // its own mapper: stored formats must not follow spring.jackson.* settings (indentation would add newlines),
        // and format-1 dead letters nest the producer's data two levels deeper than it was sent
        this.mapper = JsonMapper.builder(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10_000).build()).build()).build();
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
        // the shards the data was written with: the layout was read (LayoutWatcher) before this runs
        int shardCount = shards.shardCount();
        long[] counts = new long[2]; // converted, unreadable
        for (int shard = 0; shard < shardCount; shard++) {
            convert(keys.payload(shard), v -> v.startsWith("{"), this::payloadFromV1, counts);
            convert(keys.dead(shard), v -> v.startsWith("{") && v.indexOf('\n') < 0, this::deadLetterFromV1, counts);
        }
        if (counts[1] > 0) { // the marker stays unset: the next start tries again
            throw new IllegalStateException(counts[1] + " stored values in format 1 could not be converted (see the log); "
                    + "fix or remove them, then start again");
        }
        redis.opsForValue().set(keys.formatMarker(), CURRENT);
        if (counts[0] > 0) {
            LOG.warn("Converted {} stored reminders and dead letters to stored format {}", counts[0], CURRENT);
        }
    }

    /** Converts the values of {@code hash} that are in format 1; a conversion already done is recognised and skipped. */
    private void convert(String hash, Predicate<String> formatOne, UnaryOperator<String> conversion, long[] counts) {
        try (Cursor<Map.Entry<Object, Object>> entries = redis.opsForHash().scan(hash, ScanOptions.scanOptions().count(500).build())) {
            while (entries.hasNext()) {
                Map.Entry<Object, Object> entry = entries.next();
                String old = entry.getValue().toString();
                if (!formatOne.test(old)) {
                    continue;
                }
                String converted;
                try {
                    converted = conversion.apply(old);
                } catch (RuntimeException e) {
                    LOG.error("Cannot convert {} {} to stored format {}: {}", hash, entry.getKey(), CURRENT, e.toString());
                    counts[1]++;
                    continue;
                }
                Long done = redis.execute(LuaScripts.REPLACE_IF_UNCHANGED, List.of(hash), entry.getKey().toString(), old, converted);
                counts[0] += done == null ? 0 : done;
            }
        }
    }

    /** {"rev":7,"v":1,"userId":..,"subject":..,"channel":..,"dueAt":N,"title":..,"body":..,"data":{..},"scheduledAt":N} */
    String payloadFromV1(String v1) {
        return payload(read(v1));
    }

    /** {"deadAt":N,<failure fields>,"payload":{format 1 payload}} */
    String deadLetterFromV1(String v1) {
        ObjectNode old = (ObjectNode) read(v1);
        JsonNode payload = old.remove("payload");
        if (payload == null) {
            throw new IllegalStateException("a format-1 dead letter without its payload");
        }
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
