package dev.reminderpush.store;

import dev.reminderpush.ReminderProperties;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * shard = CRC-32 (IEEE 802.3, as zlib computes it) of the UTF-8 bytes of the user id, taken as an
 * unsigned number, mod the shard count. Every language has that function (Python
 * {@code zlib.crc32(uid.encode()) % n}, Go {@code crc32.ChecksumIEEE([]byte(uid)) % n}), so any
 * producer or tool can tell where a user lives; the README lists test vectors.
 */
@Component
public class ShardFunction {

    private final int shardCount;

    @Autowired
    public ShardFunction(ReminderProperties properties) {
        this(properties.shardCount());
    }

    public ShardFunction(int shardCount) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, was " + shardCount);
        }
        this.shardCount = shardCount;
    }

    public int shardOf(String userId) {
        CRC32 crc = new CRC32();
        crc.update(userId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shardCount);
    }

    public int shardCount() {
        return shardCount;
    }
}
