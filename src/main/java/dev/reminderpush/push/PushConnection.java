package dev.reminderpush.push;

import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.StreamId;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * One client connection (WebSocket or SSE) of one user on this instance. Frames are written in inbox order by
 * one sender thread at a time (never by the thread that hands them over: a slow client blocks only its own
 * writes, for at most {@code reminders.push.send-timeout}). While the connection replays its user's inbox, live
 * messages are held and follow the replay; a message whose id is not after the last one queued is skipped, so
 * replay and live pushes never repeat one. Frames waiting to be written are bounded by
 * {@code reminders.push.send-buffer}: a client that cannot keep up is dropped and resumes by replay.
 */
public abstract class PushConnection {

    enum State { REPLAYING, LIVE, CLOSED }

    private enum Kind { MESSAGE, BROADCAST, NOTICE, PING }

    /** A frame to write: an inbox message (id and JSON), a topic broadcast (topic and JSON), a notice or a ping. */
    private record Frame(Kind kind, StreamId id, String topic, String json, boolean replay) {

        Frame(StreamId id, String json, boolean replay) {
            this(Kind.MESSAGE, id, null, json, replay);
        }

        long bytes() {
            return kind == Kind.MESSAGE || kind == Kind.BROADCAST ? json.length() : 0;
        }
    }

    private static final Frame PING = new Frame(Kind.PING, null, null, null, false);

    final String userId;
    /** Topics this connection subscribed to (changed by the registry only). */
    final java.util.Set<String> topics = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final long sendBuffer;
    private final Executor senders;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final List<InboxStore.Entry> held = new ArrayList<>();
    private long queuedBytes;
    private long heldBytes;
    private boolean writing;
    private StreamId lastQueued;
    private State state = State.REPLAYING;
    private volatile long lastHeardNanos = System.nanoTime();
    private Listener listener;

    /** What the registry learns from a connection's writes. */
    interface Listener {
        void written(boolean replay);

        void broadcastWritten();

        void overflowed(PushConnection connection);

        void failed(PushConnection connection, Exception e);
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

    /** Where the replay starts: after the client's resume id, or (null) at the oldest message of the inbox. */
    synchronized StreamId resumeAfter() {
        return lastQueued;
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

    /** Closes the transport with a reason for the client; must not throw. */
    protected abstract void closeTransport(int code, String reason);

    /** The client showed it is alive (a pong, a frame). */
    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    /** A message that just arrived for this user. */
    synchronized void live(StreamId id, String json) {
        if (state == State.REPLAYING) {
            held.add(new InboxStore.Entry(id, json));
            heldBytes += json.length();
            if (heldBytes > sendBuffer) {
                overflow();
            }
        } else if (state == State.LIVE) {
            enqueue(new Frame(id, json, false));
        }
    }

    /**
     * Queues replayed messages (a page of the inbox); returns the bytes now waiting, so the replay can wait for
     * the client before it reads the next page (a replay is never dropped for its own size).
     */
    synchronized long replay(List<InboxStore.Entry> entries) {
        for (InboxStore.Entry entry : entries) {
            if (state == State.CLOSED) {
                break;
            }
            enqueue(new Frame(entry.id(), entry.message(), true));
        }
        return queuedBytes;
    }

    synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** The replay is done: the messages held meanwhile follow (those the replay already had are skipped). */
    synchronized void goLive() {
        if (state != State.REPLAYING) {
            return;
        }
        state = State.LIVE;
        for (InboxStore.Entry entry : held) {
            enqueue(new Frame(entry.id(), entry.message(), false));
        }
        held.clear();
        heldBytes = 0;
    }

    /** Queues a notice behind the frames waiting (a transport allows one write at a time). */
    synchronized void notice(String json) {
        if (state != State.CLOSED) {
            queue.add(new Frame(Kind.NOTICE, null, null, json, false));
            startWriting();
        }
    }

    /** A broadcast of a topic this connection subscribed to: after the replay, in arrival order, within the buffer. */
    synchronized void broadcast(String topic, String json) {
        if (state == State.CLOSED) {
            return;
        }
        Frame frame = new Frame(Kind.BROADCAST, null, topic, json, false);
        queue.add(frame);
        queuedBytes += frame.bytes();
        if (queuedBytes > sendBuffer) {
            overflow();
            return;
        }
        startWriting();
    }

    synchronized void ping() {
        if (state != State.CLOSED) {
            queue.add(PING);
            startWriting();
        }
    }

    boolean isOpen() {
        synchronized (this) {
            return state != State.CLOSED;
        }
    }

    /** Closes the connection once; the registry forgets it through the transport's close callback or {@code closed()}. */
    void close(int code, String reason) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            queue.clear();
            held.clear();
            queuedBytes = 0;
        }
        closeTransport(code, reason);
    }

    private void enqueue(Frame frame) {
        if (lastQueued != null && frame.id().compareTo(lastQueued) <= 0) {
            return; // replayed already, or a message published again after a redelivery
        }
        lastQueued = frame.id();
        queue.add(frame);
        queuedBytes += frame.bytes();
        if (!frame.replay() && queuedBytes > sendBuffer) {
            overflow();
            return;
        }
        startWriting();
    }

    private void overflow() {
        state = State.CLOSED;
        queue.clear();
        held.clear();
        queuedBytes = 0;
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
                        listener.written(frame.replay());
                    }
                }
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    writing = false;
                }
                listener.failed(this, e);
                close(PushCloseCodes.WRITE_FAILED, "write failed");
                return;
            } finally {
                if (frame.bytes() > 0) {
                    synchronized (this) {
                        queuedBytes = Math.max(0, queuedBytes - frame.bytes());
                        notifyAll();
                    }
                }
            }
        }
    }

    /** Waits (at most {@code millis}) until fewer than {@code bytes} wait to be written. */
    synchronized void awaitBelow(long bytes, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (state != State.CLOSED && queuedBytes >= bytes && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
    }
}
