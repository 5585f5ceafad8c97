package dev.reminderpush.dispatch;

/**
 * The state of one dispatch pass as it goes through routes dispatch-pass and drain-shard (exchange property
 * {@link #PROPERTY}): which shard it drains, how much it may claim next, and how the shard's drain ended.
 * Read and changed only by {@link Dispatcher}'s steps, on the thread that runs the pass.
 */
public final class DispatchPass {

    public static final String PROPERTY = "dispatchPass";

    final int first;
    final long deadline;
    final boolean claimingAllowed;
    private int position = -1;

    int shard = -1;
    /** The lease expiry shared by the claims of this drain (0 before the first claim). */
    long leaseUntil;
    /** How many reminders the next claim asks for. */
    int room;
    /** The drain saw the shard empty and settled its groups: they may wait for siblings. */
    boolean drained;
    /** The drain is over: no further claim (drained, budget spent, no room, busy, failed). */
    boolean over;

    DispatchPass(int first, long deadline, boolean claimingAllowed) {
        this.first = first;
        this.deadline = deadline;
        this.claimingAllowed = claimingAllowed;
    }

    /** The next shard position of this pass in [0, count), or -1 when the walk is over. */
    int nextPosition(int count) {
        return ++position < count ? (first + position) % count : -1;
    }

    void startDrain(int shard) {
        this.shard = shard;
        this.leaseUntil = 0;
        this.room = 0;
        this.drained = false;
        this.over = false;
    }

    @Override
    public String toString() {
        return "DispatchPass[shard " + shard + (over ? ", over" : "") + (drained ? ", drained" : "") + "]";
    }
}
