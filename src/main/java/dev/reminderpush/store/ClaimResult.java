package dev.reminderpush.store;

import java.util.List;
import java.util.Map;

/**
 * What one claim.lua call returned.
 *
 * @param busy      another instance holds this shard's drain lease; nothing was claimed
 * @param now       Redis server time of the claim (epoch millis): the clock of every due time
 * @param claimed   the reminders now in flight under this instance's lease
 * @param full      as many came back as were asked for: the shard may hold more due reminders
 * @param upcoming  users with reminders falling due within the merge window, with the earliest such
 *                  due time (only when the claim was not full)
 * @param upcomingTruncated the look-ahead hit its scan limit, so {@code upcoming} may be incomplete
 * @param leaseUntil the lease expiry the claimed reminders got (Redis time)
 * @param nextDue   the shard's earliest due time after this claim (Redis time): {@code now} when the claim was
 *                  full (more is due), {@link ShardHeads#NONE} when nothing is left; unknown ({@code now}) when busy
 * @param nextHigh  the earliest due time left in the shard's high lane ({@link ShardHeads#NONE}: none)
 */
public record ClaimResult(
        boolean busy, long now, List<ClaimedReminder> claimed, boolean full, Map<String, Long> upcoming, boolean upcomingTruncated,
        long leaseUntil, long nextDue, long nextHigh) {

    static ClaimResult busy(long now) {
        return new ClaimResult(true, now, List.of(), false, Map.of(), false, 0, now, now);
    }
}
