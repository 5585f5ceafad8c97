package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardFunctionTest {

    /** The published jump consistent hash vectors (the paper's C++ code, as every port tests it). */
    @Test
    void jumpMatchesThePublishedVectors() {
        assertThat(ShardHash.jump(1, 1)).isEqualTo(0);
        assertThat(ShardHash.jump(42, 57)).isEqualTo(43);
        assertThat(ShardHash.jump(0xDEAD10CCL, 1)).isEqualTo(0);
        assertThat(ShardHash.jump(0xDEAD10CCL, 666)).isEqualTo(361);
        assertThat(ShardHash.jump(256, 1024)).isEqualTo(520);
        assertThat(ShardHash.jump(-1L, 128)).isEqualTo(92); // 2^64 - 1: the key is unsigned
    }

    /** The README's vectors: jump(crc32(utf8(userId)), n), and crc32 mod n for layouts of earlier releases. */
    @Test
    void matchesDocumentedVectors() {
        assertThat(ShardHash.crc32("alice@example.com")).isEqualTo(2583554601L); // > 2^31: unsigned
        assertThat(ShardHash.JUMP.shardOf("42", 16)).isEqualTo(13);
        assertThat(ShardHash.JUMP.shardOf("10086", 16)).isEqualTo(9);
        assertThat(ShardHash.JUMP.shardOf("alice@example.com", 16)).isEqualTo(7);
        assertThat(ShardHash.JUMP.shardOf("user-1", 16)).isEqualTo(14);
        assertThat(ShardHash.JUMP.shardOf("10086", 64)).isEqualTo(9);
        assertThat(ShardHash.JUMP.shardOf("alice@example.com", 64)).isEqualTo(26);
        assertThat(ShardHash.CRC32.shardOf("42", 16)).isEqualTo(8);                  // crc32 = 841265288
        assertThat(ShardHash.CRC32.shardOf("10086", 16)).isEqualTo(8);               // crc32 = 1443254904
        assertThat(ShardHash.CRC32.shardOf("alice@example.com", 16)).isEqualTo(9);
        assertThat(ShardHash.CRC32.shardOf("10086", 64)).isEqualTo(56);
        assertThat(new ShardFunction(16).shardOf("42")).isEqualTo(13);
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
        for (ShardHash hash : ShardHash.values()) {
            int[] counts = new int[16];
            for (int i = 0; i < 160_000; i++) {
                counts[hash.shardOf(Integer.toString(i), 16)]++;
            }
            for (int count : counts) {
                assertThat(count).as(hash.label()).isBetween(9_000, 11_000);
            }
        }
    }

    /** Why jump: from 16 to 24 shards it moves the third of the users that must move; crc32 mod n moves almost all. */
    @Test
    void jumpMovesOnlyWhatMustMove() {
        int jumpMoved = 0;
        int crcMoved = 0;
        for (int i = 0; i < 100_000; i++) {
            String user = "u" + i;
            int before = ShardHash.JUMP.shardOf(user, 16);
            int after = ShardHash.JUMP.shardOf(user, 24);
            if (before != after) {
                jumpMoved++;
                assertThat(after).as("a grown layout moves users only to its new shards").isGreaterThanOrEqualTo(16);
            }
            if (ShardHash.CRC32.shardOf(user, 16) != ShardHash.CRC32.shardOf(user, 24)) {
                crcMoved++;
            }
        }
        assertThat(jumpMoved).isBetween(32_000, 34_700); // 1/3
        assertThat(crcMoved).isGreaterThan(60_000);
    }

    @Test
    void aMigratingLayoutWritesToTheTargetAndWalksBothCounts() {
        ShardLayout layout = new ShardLayout(2, 16, ShardHash.JUMP, new ShardLayout.Target(64, ShardHash.JUMP), 16);
        assertThat(layout.shardOf("alice@example.com")).isEqualTo(26);
        assertThat(layout.previousShardOf("alice@example.com")).isEqualTo(7);
        assertThat(layout.activeShards()).isEqualTo(64);
        ShardLayout shrinking = new ShardLayout(4, 64, ShardHash.JUMP, new ShardLayout.Target(16, ShardHash.JUMP), 16);
        assertThat(shrinking.activeShards()).isEqualTo(64);
        assertThat(shrinking.pushPartitionOf("42")).isEqualTo(8); // push keys stay where crc32 mod 16 put them
    }

    @Test
    void rejectsNonPositiveShardCount() {
        assertThatThrownBy(() -> new ShardFunction(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
