package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardFunctionTest {

    /** The README's vectors: crc32(utf8(userId)) as zlib computes it, mod the shard count. */
    @Test
    void matchesDocumentedVectors() {
        ShardFunction sixteen = new ShardFunction(16);
        assertThat(sixteen.shardOf("42")).isEqualTo(8);                  // crc32 = 841265288
        assertThat(sixteen.shardOf("10086")).isEqualTo(8);               // crc32 = 1443254904
        assertThat(sixteen.shardOf("alice@example.com")).isEqualTo(9);   // crc32 = 2583554601 (> 2^31: unsigned)
        assertThat(sixteen.shardOf("user-1")).isEqualTo(4);
        assertThat(new ShardFunction(64).shardOf("10086")).isEqualTo(56);
        assertThat(new ShardFunction(10).shardOf("alice@example.com")).isEqualTo(1);
    }

    @Test
    void sameUserAlwaysSameShardAndInRange() {
        ShardFunction shards = new ShardFunction(16);
        for (int i = 0; i < 10_000; i++) {
            String user = "user-" + i;
            int shard = shards.shardOf(user);
            assertThat(shard).isBetween(0, 15);
            assertThat(new ShardFunction(16).shardOf(user)).isEqualTo(shard);
        }
    }

    @Test
    void spreadsUsersEvenly() {
        ShardFunction shards = new ShardFunction(16);
        int[] counts = new int[16];
        for (int i = 0; i < 160_000; i++) {
            counts[shards.shardOf(Integer.toString(i))]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(9_000, 11_000);
        }
    }

    @Test
    void rejectsNonPositiveShardCount() {
        assertThatThrownBy(() -> new ShardFunction(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
