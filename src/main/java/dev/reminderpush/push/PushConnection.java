package dev.reminderpush.push;

import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.StreamId;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection (WebSocket or SSE) of one user on this instance. Frames are written in inbox order by one
 * sender thread at a time (never by the thread that hands them over: a slow client blocks only its own writes, for
 * at most {@code reminders.push.send-timeout}). While the connection replays its user's inbox, live messages are
 * held and follow the replay; a message whose id is not after the last one queued is skipped, so replay and live
 * pushes never repeat one. A live message whose predecessor in the inbox this connection never got (a pub/sub
 * message lost while the subscription reconnected) sends the connection back to replaying from its last id, so a
 * gap closes at the next message. Frames waiting to be written (besides a replay, which is paced) are bounded by
 * {@code reminders.push.send-buffer}, though one frame of any size may always wait: a client that cannot keep up
 * is dropped and resumes by replay.
 */
public abstract class PushConnection {

    enum State { REPLAYING, LIVE, CLOSED }

    private enum Kind { MESSAGE, BROADCAST, NOTICE, PING }

    /** A frame to write: an inbox message (id and JSON), a topic broadcast (topic and JSON), a notice or a ping. */
    private record Frame(Kind kind, StreamId id, String topic, String json, boolean replay) {

        long bytes() {
            return json == null ? 0 : json.length();
        }
    }

    private static final Frame PING = new Frame(Kind.PING, null, null, null, false);
    /** Most frames waiting (besides a replay): tiny frames count too. */
    static final int MAX_FRAMES = 10_000;

    final String userId;
    /** Topics this connection subscribed to (changed by the registry only). */
    final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final long sendBuffer;
    private final Executor senders;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    /** A live message held while the connection replays, with the inbox entry before it (null: none or unknown). */
    private record Held(StreamId previous, StreamId id, String json) {}

    private final List<Held> held = new ArrayList<>();
    /** A resync was asked for while replaying: the replay runs once more before going live. */
    private boolean replayAgain;
    private final AtomicBoolean idleClose = new AtomicBoolean();
    /** Bytes of every frame waiting (paces a replay). */
    private long queuedBytes;
    /** Bytes of the frames waiting that are no replay (bounded by the send buffer). */
    private long liveBytes;
    private int liveFrames;
    private long heldBytes;
    private boolean writing;
    private StreamId lastQueued;
    private volatile StreamId lastSent;
    private volatile StreamId lastWritten;
    private State state = State.REPLAYING;
    private volatile long lastHeardNanos = System.nanoTime();
    private Listener listener;

    /** What the registry learns from a connection. */
    interface Listener {
        void written(boolean replay);

        void broadcastWritten();

        void overflowed(PushConnection connection);

        void failed(PushConnection connection, Exception e);

        /** The connection missed a message: replay from its last id again. */
        void resync(PushConnection connection);
    }

    protected PushConnection(String userId, StreamId resumeAfter, long sendBuffer, Executor senders) {
        this.userId = userId;
        this.lastQueued = resumeAfter;
        this.sendBuffer = sendBuffer;
        this.senders = senders;
    }

    void listener(Listener listener) {
        this.listener = listener;
    }

    /** Where a replay starts: after the last message queued (at first the client's resume id), or null: the oldest. */
    synchronized StreamId resumeAfter() {
        return lastQueued;
    }

    /**
     * How far an ack of {@code upTo} may reach on this connection: up to the last message whose write completed, or
     * exactly the one message being written now (a client may ack a frame before the server's write completion has
     * run, and only a client that received it knows its id). Anything beyond is clamped to the last completed write;
     * null when nothing may be acked yet. Not the client's resume id: the client says that one, the server wrote these.
     */
    StreamId ackable(StreamId upTo) {
        StreamId written = lastWritten;
        if (written != null && upTo.compareTo(written) <= 0) {
            return upTo;
        }
        return upTo.equals(lastSent) ? upTo : written;
    }

    abstract String transport();

    /** Whether the client answers pings (WebSocket): only then does silence close the connection. */
    abstract boolean answersPings();

    /** Writes one message frame; blocks at most the send timeout. */
    protected abstract void writeMessage(StreamId id, String json) throws IOException;

    protected abstract void writePing() throws IOException;

    /** Writes a topic broadcast. */
    protected abstract void writeBroadcast(String topic, String json) throws IOException;

    /** Writes a frame that is no message (an answer to something the client sent). */
    protected abstract void writeNotice(String json) throws IOException;

    /**
     * Starts writing a text frame without blocking and calls {@code done} (with null, or the failure) when it is
     * written; false when this transport cannot (its writes block, on the sender thread).
     */
    protected boolean writeAsync(String text, java.util.function.Consumer<Throwable> done) {
        return false;
    }

    /** Whether {@link #writeAsync} may be tried (then {@link #messageText} and {@link #broadcastText} exist too). */
    protected boolean writesAsync() {
        return false;
    }

    /** The text of a message frame and of a broadcast frame, for transports that write asynchronously. */
    protected String messageText(StreamId id, String json) {
        throw new UnsupportedOperationException();
    }

    protected String broadcastText(String topic, String json) {
        throw new UnsupportedOperationException();
    }

    /** Closes the transport with a reason for the client; must not throw. */
    protected abstract void closeTransport(int code, String reason);

    /** The client showed it is alive (a pong, a frame). */
    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    /** True once: the heartbeat closes this connection (so it is counted once). */
    boolean markIdleClose() {
        return idleClose.compareAndSet(false, true);
    }

    /**
     * A message that just arrived for this user; {@code previous} is the inbox entry before it when it was appended
     * (null: none, or unknown).
     */
    synchronized void live(StreamId previous, StreamId id, String json) {
        if (state == State.LIVE && previous != null && (lastQueued == null || previous.compareTo(lastQueued) > 0)) {
            state = State.REPLAYING; // a message before this one never came: replay from the last one queued
            listener.resync(this);
        }
        if (state == State.REPLAYING) {
            if (!held.isEmpty() && heldBytes + json.length() > sendBuffer) {
                overflow();
                return;
            }
            held.add(new Held(previous, id, json));
            heldBytes += json.length();
        } else if (state == State.LIVE) {
            enqueue(new Frame(Kind.MESSAGE, id, null, json, false));
        }
    }

    /** Queues replayed messages (a page of the inbox); a replay is paced by its caller, never dropped for its size. */
    synchronized void replay(List<InboxStore.Entry> entries) {
        for (InboxStore.Entry entry : entries) {
            if (state == State.CLOSED) {
                break;
            }
            enqueue(new Frame(Kind.MESSAGE, entry.id(), null, entry.message(), true));
        }
    }

    /**
     * The replay is done: the messages held meanwhile follow (those the replay already had are skipped). Unless
     * {@code force}, stays replaying (returns false) when a resync was asked for meanwhile, or when the first held
     * message comes after one this connection never got (lost in pub/sub while it replayed): the caller replays again.
     */
    synchronized boolean goLive(boolean force) {
        if (state != State.REPLAYING) {
            return true;
        }
        if (!force && (replayAgain || heldGap())) {
            replayAgain = false;
            return false;
        }
        replayAgain = false;
        state = State.LIVE;
        for (Held message : held) {
            enqueue(new Frame(Kind.MESSAGE, message.id(), null, message.json(), false));
        }
        held.clear();
        heldBytes = 0;
        return true;
    }

    private boolean heldGap() {
        for (Held message : held) {
            if (lastQueued == null || message.id().compareTo(lastQueued) > 0) {
                return message.previous() != null && (lastQueued == null || message.previous().compareTo(lastQueued) > 0);
            }
        }
        return false;
    }

    /**
     * Back to replaying from the last message queued; true when a replay must be started (a connection replaying
     * already replays once more before it goes live).
     */
    synchronized boolean resync() {
        if (state == State.REPLAYING) {
            replayAgain = true;
            return false;
        }
        if (state != State.LIVE) {
            return false;
        }
        state = State.REPLAYING;
        return true;
    }

    /** Queues a notice behind the frames waiting (a transport allows one write at a time). */
    synchronized void notice(String json) {
        if (state != State.CLOSED) {
            enqueue(new Frame(Kind.NOTICE, null, null, json, false));
        }
    }

    /** A broadcast of a topic this connection subscribed to, in arrival order, within the buffer. */
    synchronized void broadcast(String topic, String json) {
        if (state != State.CLOSED) {
            enqueue(new Frame(Kind.BROADCAST, null, topic, json, false));
        }
    }

    synchronized void ping() {
        if (state != State.CLOSED) {
            queue.add(PING);
            startWriting();
        }
    }

    synchronized boolean isOpen() {
        return state != State.CLOSED;
    }

    /** Closes the connection once; the registry forgets it through the transport's close callback or {@code closed()}. */
    void close(int code, String reason) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            clear();
        }
        closeTransport(code, reason);
    }

    private void clear() {
        state = State.CLOSED;
        queue.clear();
        held.clear();
        queuedBytes = 0;
        liveBytes = 0;
        liveFrames = 0;
        heldBytes = 0;
        notifyAll();
    }

    private void enqueue(Frame frame) {
        if (frame.kind() == Kind.MESSAGE) {
            if (lastQueued != null && frame.id().compareTo(lastQueued) <= 0) {
                return; // replayed already, or a message published again after a redelivery
            }
            lastQueued = frame.id();
        }
        if (!frame.replay()) {
            // one frame of any size may wait; beyond the buffer (or too many frames) the client is too slow
            if (liveFrames > 0 && (liveBytes + frame.bytes() > sendBuffer || liveFrames >= MAX_FRAMES)) {
                overflow();
                return;
            }
            liveBytes += frame.bytes();
            liveFrames++;
        }
        queue.add(frame);
        queuedBytes += frame.bytes();
        startWriting();
    }

    private void overflow() {
        clear();
        // closing writes a close frame, which may block on this very client: never on the caller's thread
        senders.execute(() -> {
            listener.overflowed(this);
            closeTransport(PushCloseCodes.SLOW_CLIENT, "send buffer full: reconnect and resume");
        });
    }

    private void startWriting() {
        if (!writing) {
            writing = true;
            senders.execute(this::writeQueued);
        }
    }

    private void writeQueued() {
        while (true) {
            Frame frame;
            synchronized (this) {
                frame = queue.poll();
                if (frame == null || state == State.CLOSED) {
                    writing = false;
                    notifyAll();
                    return;
                }
            }
            if (frame.kind() == Kind.MESSAGE) {
                lastSent = frame.id();
            }
            if (frame.kind() != Kind.PING && writesAsync() && writeAsync(text(frame), failure -> afterAsyncWrite(frame, failure))) {
                return; // the next frame is written when this one is (no thread waits on a slow client)
            }
            try {
                switch (frame.kind()) {
                    case PING -> writePing();
                    case NOTICE -> writeNotice(frame.json());
                    case BROADCAST -> {
                        writeBroadcast(frame.topic(), frame.json());
                        listener.broadcastWritten();
                    }
                    case MESSAGE -> {
                        writeMessage(frame.id(), frame.json());
                        lastWritten = frame.id();
                        listener.written(frame.replay());
                    }
                }
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    writing = false;
                }
                close(PushCloseCodes.WRITE_FAILED, "write failed");
                listener.failed(this, e);
                return;
            } finally {
                synchronized (this) {
                    if (state != State.CLOSED) {
                        queuedBytes = Math.max(0, queuedBytes - frame.bytes());
                        if (!frame.replay() && frame.kind() != Kind.PING) {
                            liveBytes = Math.max(0, liveBytes - frame.bytes());
                            liveFrames = Math.max(0, liveFrames - 1);
                        }
                    }
                    notifyAll();
                }
            }
        }
    }

    private String text(Frame frame) {
        return switch (frame.kind()) {
            case MESSAGE -> messageText(frame.id(), frame.json());
            case BROADCAST -> broadcastText(frame.topic(), frame.json());
            default -> frame.json();
        };
    }

    /** An asynchronous write ended: the bookkeeping of a written frame, then the next frame (on a sender thread). */
    private void afterAsyncWrite(Frame frame, Throwable failure) {
        if (failure != null) {
            synchronized (this) {
                writing = false;
            }
            close(PushCloseCodes.WRITE_FAILED, "write failed");
            listener.failed(this, failure instanceof Exception e ? e : new IOException(failure));
            return;
        }
        if (frame.kind() == Kind.MESSAGE) {
            lastWritten = frame.id();
            listener.written(frame.replay());
        } else if (frame.kind() == Kind.BROADCAST) {
            listener.broadcastWritten();
        }
        synchronized (this) {
            if (state != State.CLOSED) {
                queuedBytes = Math.max(0, queuedBytes - frame.bytes());
                if (!frame.replay()) {
                    liveBytes = Math.max(0, liveBytes - frame.bytes());
                    liveFrames = Math.max(0, liveFrames - 1);
                }
            }
            notifyAll();
        }
        try {
            senders.execute(this::writeQueued);
        } catch (RuntimeException e) { // stopping
            synchronized (this) {
                writing = false;
            }
        }
    }

    /**
     * Waits (at most {@code millis}) until fewer than {@code bytes} wait to be written; false when the client did not
     * read that much in time (it is too slow: the caller drops it).
     */
    synchronized boolean awaitBelow(long bytes, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (state != State.CLOSED && queuedBytes >= bytes && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return state == State.CLOSED || queuedBytes < bytes;
    }

    /** A replay could not be paced (the client read too slowly): dropped as a slow client. */
    synchronized void tooSlow() {
        if (state != State.CLOSED) {
            overflow();
        }
    }
}
