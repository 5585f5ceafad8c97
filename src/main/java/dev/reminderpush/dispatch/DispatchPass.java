package dev.reminderpush.dispatch;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of one dispatch pass as it goes through routes dispatch-pass and drain-shard (exchange property
 * {@link #PROPERTY}): which shard it drains, how much it may claim next, and how the shard's drain ended.
 * Read and changed only by {@link Dispatcher}'s steps, on the thread that runs the pass.
 */
public final class DispatchPass {

    public static final String PROPERTY = "dispatchPass";

    final int first;
    long deadline;
    boolean claimingAllowed;
    /** This pass holds the dispatcher's pass permit (step begin-pass), until step release-pass. */
    boolean permitted;
    private int position = -1;
    /** Messages a step made ready that step count-in-flight of route hand-off has not taken yet. */
    private List<OutboundMessage> pending = List.of();

    int shard = -1;
    /** The lease expiry shared by the claims of this drain (0 before the first claim). */
    long leaseUntil;
    /** How many reminders the next claim asks for. */
    int room;
    /** The drain saw the shard empty and settled its groups: they may wait for siblings. */
    boolean drained;
    /** The drain is over: no further claim (drained, budget spent, no room, busy, failed). */
    boolean over;
    /** Claims made by this drain so far. */
    int claims;
    /** This drain serves a shard's high lane out of turn: one claim, then the walk goes on. */
    boolean preferred;
    /** The last drain was out of turn: the next one is the walk's. */
    boolean walkOwed;
    /** The walk's shard that gave way to another's high lane and comes again next (-1: none). */
    int gaveWay = -1;

    DispatchPass(int first) {
        this.first = first;
    }

    /** What a step hands off next: remembered until route hand-off counts it in flight. */
    List<OutboundMessage> offer(List<OutboundMessage> messages) {
        if (!messages.isEmpty()) {
            pending = pending.isEmpty() ? messages : concat(pending, messages);
        }
        return messages;
    }

    /** Route hand-off took what was pending (step to-delivery-threads). */
    public void handedOff() {
        pending = List.of();
    }

    /** Messages made ready that never reached the hand-off (a route failed or stopped on the way). */
    List<OutboundMessage> takeUnhanded() {
        List<OutboundMessage> left = pending;
        pending = List.of();
        return left;
    }

    static List<OutboundMessage> concat(List<OutboundMessage> a, List<OutboundMessage> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        List<OutboundMessage> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    /** The next shard position of this pass in [0, count), or -1 when the walk is over. */
    int nextPosition(int count) {
        return ++position < count ? (first + position) % count : -1;
    }

    /** The walk's current shard gave way to another's high lane before it was drained: it comes again next. */
    void revisit() {
        position--;
        gaveWay = shard;
    }

    void startDrain(int shard, boolean outOfTurn) {
        this.shard = shard;
        this.preferred = outOfTurn;
        this.walkOwed = outOfTurn;
        if (!outOfTurn) {
            this.gaveWay = -1;
        }
        this.claims = 0;
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
