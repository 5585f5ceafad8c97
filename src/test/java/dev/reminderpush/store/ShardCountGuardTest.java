package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reminderpush.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ShardCountGuardTest extends IntegrationTest {

    @Autowired
    ReminderKeys keys;

    @Test
    void recordsTheShardCountOnFirstStart() {
        new ShardCountGuard(redis, keys, new ShardFunction(16)).checkShardCount();
        assertThat(redis.opsForValue().get("reminders:shard-count")).isEqualTo("16");
    }

    @Test
    void refusesAnotherShardCountOnTheSameData() {
        new ShardCountGuard(redis, keys, new ShardFunction(16)).checkShardCount();
        assertThatThrownBy(() -> new ShardCountGuard(redis, keys, new ShardFunction(32)).checkShardCount())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reminders.shard-count is 32")
                .hasMessageContaining("written with 16 shards");
    }
}
