package dev.reminderpush.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardMoverBatchesTest {

    /** One user's reminders go in one batch, so a crash's returns are moved (and merged again) together. */
    @Test
    void batchesNeverCutAUserApart() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            ids.add("user-" + (i * 7 % 1_000) + ":s" + i); // three reminders per user, scattered
        }
        ids.add("big:0");
        for (int i = 1; i < 1_200; i++) {
            ids.add("big:" + i); // one user bigger than a batch
        }
        List<List<String>> batches = ShardMover.batchesByUser(ids, id -> id);

        Map<String, Integer> batchOfUser = new HashMap<>();
        int total = 0;
        for (int b = 0; b < batches.size(); b++) {
            for (String id : batches.get(b)) {
                Integer earlier = batchOfUser.put(ShardMover.userOf(id), b);
                assertThat(earlier == null || earlier == b).as(id).isTrue();
                total++;
            }
        }
        assertThat(total).isEqualTo(ids.size());
        assertThat(batches).allSatisfy(batch -> assertThat(batch.size()).isLessThanOrEqualTo(1_200));
        assertThat(batches.stream().filter(batch -> !batch.get(0).startsWith("big:"))).allSatisfy(batch ->
                assertThat(batch.size()).isBetween(1, ShardMover.BATCH + 2));
    }
}
