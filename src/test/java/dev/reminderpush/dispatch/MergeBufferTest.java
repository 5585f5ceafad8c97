package dev.reminderpush.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.store.ClaimedReminder;
import dev.reminderpush.store.ReminderId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergeBufferTest {

    static ClaimedReminder claimed(String user, String subject, long due, String channel) {
        return new ClaimedReminder(3, new ReminderId(user, subject), 1, "c", due, channel, "{}");
    }

    final MergeBuffer buffer = new MergeBuffer(1_000, 500, r -> r.channel() == null ? "kafka" : r.channel());

    @Test
    void remindersWithinTheWindowOfTheFirstGoTogether() {
        assertThat(buffer.add(3, List.of(claimed("u", "a", 0, null), claimed("u", "b", 1_000, null)))).isEmpty();
        List<OutboundMessage> closed = buffer.add(3, List.of(claimed("u", "c", 1_001, null)));
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).reminders()).extracting(r -> r.id().subject()).containsExactly("a", "b");
        assertThat(buffer.size()).isEqualTo(1);
    }

    @Test
    void channelsAreNotMixed() {
        buffer.add(3, List.of(claimed("u", "a", 0, null), claimed("u", "b", 0, "http")));
        assertThat(buffer.settle(3, 5_000, Map.of(), false)).extracting(OutboundMessage::channel)
                .containsExactlyInAnyOrder("kafka", "http");
    }

    @Test
    void aGroupWaitsOnlyForASiblingInsideItsWindowAndAtMostUntilWindowEndPlusGrace() {
        buffer.add(3, List.of(claimed("waits", "a", 0, null), claimed("goes", "a", 0, null), claimed("far", "a", 0, null)));
        List<OutboundMessage> ready = buffer.settle(3, 100, Map.of("waits", 800L, "far", 1_500L), false);
        assertThat(ready).extracting(OutboundMessage::userId).containsExactlyInAnyOrder("goes", "far");
        assertThat(buffer.expired(1_499)).isEmpty();
        assertThat(buffer.expired(1_500)).extracting(OutboundMessage::userId).containsExactly("waits");
    }

    @Test
    void aTruncatedLookAheadHoldsEveryGroupButAClosedWindowReleasesIt() {
        buffer.add(3, List.of(claimed("u", "a", 0, null)));
        assertThat(buffer.settle(3, 100, Map.of(), true)).isEmpty();
        assertThat(buffer.settle(3, 1_000, Map.of(), true)).hasSize(1);
    }

    @Test
    void windowZeroMergesWhateverWasClaimedTogether() {
        MergeBuffer none = new MergeBuffer(0, 500, r -> "kafka");
        none.add(3, List.of(claimed("u", "a", 0, null), claimed("u", "b", 9_000, null)));
        List<OutboundMessage> ready = none.settle(3, 10_000, Map.of("u", 10_001L), false);
        assertThat(ready).hasSize(1);
        assertThat(ready.get(0).reminders()).hasSize(2);
    }

    @Test
    void takeAllEmptiesTheBuffer() {
        buffer.add(3, List.of(claimed("u", "a", 0, null)));
        buffer.add(4, List.of(claimed("v", "a", 0, null)));
        assertThat(buffer.takeAll()).hasSize(2);
        assertThat(buffer.size()).isZero();
        assertThat(buffer.flush(3)).isEmpty();
    }
}
