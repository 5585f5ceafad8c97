package dev.reminderpush.store;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * How a user id maps to one of n shards. Both start from the CRC-32 (IEEE 802.3, as zlib computes it) of the
 * id's UTF-8 bytes, taken as an unsigned number, which every language has (Python {@code zlib.crc32}, Go
 * {@code crc32.ChecksumIEEE}).
 */
public enum ShardHash {

    /**
     * Jump consistent hash (Lamping and Veach, 2014) of the CRC-32: when the count changes from n to m, only the
     * users that must move do (about |m - n| / max(m, n) of them), and growing only moves users to the new shards.
     */
    JUMP("jump") {
        @Override
        public int shardOf(String userId, int shardCount) {
            return jump(crc32(userId), shardCount);
        }
    },

    /** CRC-32 mod n: the mapping of releases before online resharding. A change of n moves almost every user. */
    CRC32("crc32") {
        @Override
        public int shardOf(String userId, int shardCount) {
            return (int) (crc32(userId) % shardCount);
        }
    };

    private final String label;

    ShardHash(String label) {
        this.label = label;
    }

    public abstract int shardOf(String userId, int shardCount);

    /** The name in the layout record, the operator API and the README. */
    public String label() {
        return label;
    }

    public static ShardHash of(String label) {
        String wanted = label == null ? "" : label.toLowerCase(Locale.ROOT);
        for (ShardHash hash : values()) {
            if (hash.label.equals(wanted)) {
                return hash;
            }
        }
        throw new IllegalArgumentException("unknown shard hash '" + label + "': jump or crc32");
    }

    /** The paper's function: key as an unsigned 64-bit number, 64-bit wrap-around arithmetic, buckets 0 .. n - 1. */
    static int jump(long key, int buckets) {
        long bucket = -1;
        long next = 0;
        while (next < buckets) {
            bucket = next;
            key = key * 2862933555777941757L + 1;
            next = (long) ((bucket + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) bucket;
    }

    static long crc32(String userId) {
        CRC32 crc = new CRC32();
        crc.update(userId.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
