package dev.reminderpush.push;

/** WebSocket close codes the server uses (README "Real-time push"); 4000-4999 are the application's own. */
final class PushCloseCodes {

    /** Server shutting down, or this instance no longer serves push: reconnect (to any instance) and resume. */
    static final int GOING_AWAY = 1001;
    /** A frame the server cannot read. */
    static final int BAD_FRAME = 1003;
    /** The client answered no ping within {@code reminders.push.idle-timeout}. */
    static final int IDLE = 4000;
    /** The client read too slowly: its send buffer overflowed. Reconnect and resume. */
    static final int SLOW_CLIENT = 4001;
    /** A write to the client failed or timed out. */
    static final int WRITE_FAILED = 4002;

    private PushCloseCodes() {}
}
