package dev.reminderpush.push;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.InstanceId;
import dev.reminderpush.observability.PushMetrics;
import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.StreamId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The client connections this instance holds, by user. Opening a connection marks the user present here (so
 * inbox-append.lua publishes the user's messages to this instance) and replays the inbox after the client's
 * resume id; messages published here are handed to every connection of their user. Presence is renewed every
 * third of {@code reminders.push.presence-ttl} while a user has connections and simply expires after the last
 * one closes (or the instance dies), so a reconnect can never race a removal. Every {@code ping-interval} each
 * connection is pinged; a WebSocket client silent for {@code idle-timeout} is closed.
 */
@Component
public class PushConnections implements PushConnection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(PushConnections.class);
    /** Messages read from an inbox per round trip while replaying. */
    static final int REPLAY_PAGE = 25;
    /** Passes over the inbox before a connection goes live whatever gap it still sees (an entry trimmed meanwhile). */
    static final int REPLAY_PASSES = 3;
    /** Topics one connection may subscribe to. */
    static final int MAX_TOPICS_PER_CONNECTION = 100;
    static final int RECENT_BROADCASTS = 10_000;

    private final InboxStore inbox;
    private final String instanceId;
    private final ReminderProperties.Push settings;
    private final PushMetrics metrics;
    private final Map<String, Set<PushConnection>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<PushConnection>> byTopic = new ConcurrentHashMap<>();
    /** messageIds of the broadcasts written lately: a broadcast published again (a redelivery) is not written twice. */
    private final Map<String, Boolean> recentBroadcasts = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > RECENT_BROADCASTS;
                }
            });
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicInteger webSockets = new AtomicInteger();
    private final AtomicInteger sse = new AtomicInteger();
    private final ExecutorService senders;
    /** SSE writes block (no asynchronous API): on their own threads, so a stalled SSE client never delays WebSocket ones. */
    private final ExecutorService sseSenders;
    private final ExecutorService replayers;
    private final ScheduledExecutorService timer;
    private volatile boolean presenceFailed;

    public PushConnections(InboxStore inbox, InstanceId instanceId, ReminderProperties properties, PushMetrics metrics) {
        this.inbox = inbox;
        this.instanceId = instanceId.value();
        this.settings = properties.push();
        this.metrics = metrics;
        int cores = Runtime.getRuntime().availableProcessors();
        this.senders = Executors.newFixedThreadPool(Math.max(4, 4 * cores), daemons("push-sender-"));
        this.sseSenders = Executors.newFixedThreadPool(Math.max(4, 4 * cores), daemons("push-sse-sender-"));
        this.replayers = Executors.newFixedThreadPool(Math.max(2, cores), daemons("push-replay-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemons("push-timer-"));
        long ping = settings.pingInterval().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, ping, ping, TimeUnit.MILLISECONDS);
        long renewal = Math.max(100, settings.presenceTtl().toMillis() / 3);
        timer.scheduleWithFixedDelay(this::renewPresence, renewal, renewal, TimeUnit.MILLISECONDS);
        metrics.gauges(webSockets::get, sse::get, byUser::size, byTopic::size);
    }

    /** Takes one of {@code max-connections} slots, or returns false: the instance is full. */
    public boolean reserve() {
        while (true) {
            int now = reserved.get();
            if (now >= settings.maxConnections()) {
                return false;
            }
            if (reserved.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot whose connection never opened. */
    public void release() {
        reserved.decrementAndGet();
    }

    Executor senders() {
        return senders;
    }

    Executor sseSenders() {
        return sseSenders;
    }

    /**
     * A connection (with its reserved slot) opened: the user is present here from now on, then the inbox is
     * replayed after the client's resume id and live messages follow. Throws when Redis cannot record the
     * presence (the caller closes the connection; nothing was registered).
     */
    void open(PushConnection connection) {
        connection.listener(this);
        inbox.present(instanceId, List.of(connection.userId), settings.presenceTtl());
        // add inside compute: a close emptying the user's set removes it inside compute too, so an add never lands
        // in a set already taken out of the map
        byUser.compute(connection.userId, (user, set) -> {
            Set<PushConnection> connections = set != null ? set : ConcurrentHashMap.newKeySet();
            connections.add(connection);
            return connections;
        });
        counter(connection).incrementAndGet();
        replayers.execute(() -> replay(connection));
    }

    /** The transport closed (either side); forgets the connection and frees its slot, once. */
    void closed(PushConnection connection) {
        connection.close(PushCloseCodes.GOING_AWAY, "closed");
        boolean[] removed = {false};
        byUser.computeIfPresent(connection.userId, (user, set) -> {
            removed[0] = set.remove(connection);
            return set.isEmpty() ? null : set;
        });
        if (removed[0]) {
            for (String topic : connection.topics) {
                leave(connection, topic);
            }
            counter(connection).decrementAndGet();
            reserved.decrementAndGet();
        }
    }

    /** A message published to this instance for a user (inbox-append.lua). */
    public void deliverLive(String userId, StreamId previous, StreamId id, String json) {
        Set<PushConnection> connections = byUser.get(userId);
        if (connections != null) {
            for (PushConnection connection : connections) {
                connection.live(previous, id, json);
            }
        }
    }

    /** Every connection replays from its last message (this instance may have missed pub/sub messages). */
    public void resyncAll() {
        for (Set<PushConnection> connections : byUser.values()) {
            for (PushConnection connection : connections) {
                if (connection.resync()) {
                    resync(connection);
                }
            }
        }
    }

    @Override
    public void resync(PushConnection connection) {
        replayers.execute(() -> replay(connection));
    }

    /**
     * The connection subscribes to a topic; null when done, else why not (the client gets it as an error).
     * A connection that has closed subscribes to nothing.
     */
    String subscribe(PushConnection connection, String topic) {
        if (!dev.reminderpush.store.Topics.isValid(topic)) {
            return "a topic is " + dev.reminderpush.store.Topics.RULE;
        }
        if (!connection.topics.contains(topic) && connection.topics.size() >= MAX_TOPICS_PER_CONNECTION) {
            return "a connection subscribes to at most " + MAX_TOPICS_PER_CONNECTION + " topics";
        }
        connection.topics.add(topic);
        byTopic.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(connection);
        if (!connection.isOpen()) { // closed meanwhile: its close may have missed this topic
            leave(connection, topic);
        }
        return null;
    }

    void unsubscribe(PushConnection connection, String topic) {
        connection.topics.remove(topic);
        leave(connection, topic);
    }

    private void leave(PushConnection connection, String topic) {
        byTopic.computeIfPresent(topic, (t, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }

    /** A broadcast published to every instance: written once to each connection subscribed to its topic. */
    public void deliverBroadcast(String topic, String messageId, String json) {
        if (recentBroadcasts.put(messageId, Boolean.TRUE) != null) {
            return; // published again after a redelivery: already written
        }
        Set<PushConnection> subscribers = byTopic.get(topic);
        if (subscribers != null) {
            for (PushConnection connection : subscribers) {
                connection.broadcast(topic, json);
            }
        }
    }

    /** Connections subscribed to a topic here. */
    public int subscribersOf(String topic) {
        Set<PushConnection> subscribers = byTopic.get(topic);
        return subscribers == null ? 0 : subscribers.size();
    }

    /** The user's connections here (acks come through them). */
    public int connectionsOf(String userId) {
        Set<PushConnection> connections = byUser.get(userId);
        return connections == null ? 0 : connections.size();
    }

    public int open() {
        return webSockets.get() + sse.get();
    }

    /** What this instance holds now: for JMX ({@link PushMBean}) and the monitor on the example page. */
    public record Stats(String instance, int webSocket, int sse, int usersOnline, int topics, int maxConnections) {}

    public Stats stats() {
        return new Stats(instanceId, webSockets.get(), sse.get(), byUser.size(), byTopic.size(), settings.maxConnections());
    }

    /** Replays the inbox after the connection's last message, then goes live; a second pass if a gap showed meanwhile. */
    private void replay(PushConnection connection) {
        try {
            for (int pass = 1; connection.isOpen(); pass++) {
                if (!replayPages(connection)) {
                    return;
                }
                if (connection.goLive(pass >= REPLAY_PASSES)) { // a gap the inbox cannot fill (trimmed) ends the passes
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.close(PushCloseCodes.GOING_AWAY, "stopping");
        } catch (RuntimeException e) {
            LOG.warn("Replaying the inbox of user {} failed; the client reconnects and resumes: {}", connection.userId, e.getMessage());
            connection.close(PushCloseCodes.GOING_AWAY, "inbox unavailable: reconnect and resume");
        }
    }

    /** One pass over the inbox after the last message queued; false when the client read too slowly (dropped). */
    private boolean replayPages(PushConnection connection) throws InterruptedException {
        StreamId after = connection.resumeAfter();
        long patience = settings.sendTimeout().toMillis();
        while (connection.isOpen()) {
            List<InboxStore.Entry> page = inbox.after(connection.userId, after, REPLAY_PAGE);
            if (page.isEmpty()) {
                return true;
            }
            connection.replay(page);
            after = page.get(page.size() - 1).id();
            // the next page (or going live) only once the client has read most of this one: a replay never overflows
            // the buffer, and a client that does not read it in time is too slow
            if (!connection.awaitBelow(Math.max(1, settings.sendBuffer().toBytes() / 2), patience)) {
                connection.tooSlow();
                return false;
            }
            if (page.size() < REPLAY_PAGE) {
                return true;
            }
        }
        return true;
    }

    private void heartbeat() {
        long idle = settings.idleTimeout().toNanos();
        for (Set<PushConnection> connections : byUser.values()) {
            for (PushConnection connection : connections) {
                if (connection.answersPings() && connection.silentNanos() > idle && connection.markIdleClose()) {
                    metrics.heartbeatClosed();
                    senders.execute(() -> {
                        connection.close(PushCloseCodes.IDLE, "no pong within the idle timeout");
                        closed(connection);
                    });
                } else {
                    connection.ping();
                }
            }
        }
    }

    private void renewPresence() {
        List<String> users = new ArrayList<>(byUser.keySet());
        if (users.isEmpty()) {
            return;
        }
        try {
            inbox.present(instanceId, users, settings.presenceTtl());
            if (presenceFailed) { // messages may have gone unpublished to this instance meanwhile: replay them
                presenceFailed = false;
                resyncAll();
            }
        } catch (RuntimeException e) {
            presenceFailed = true;
            LOG.warn("Renewing the presence of {} users failed (retried in a moment): {}", users.size(), e.getMessage());
        }
    }

    @Override
    public void written(boolean replay) {
        if (replay) {
            metrics.replayed(1);
        } else {
            metrics.pushed();
        }
    }

    @Override
    public void broadcastWritten() {
        metrics.broadcastSent();
    }

    @Override
    public void overflowed(PushConnection connection) {
        metrics.droppedSlow();
        LOG.info("Dropped a slow {} client of user {}: more than {} waited to be written", connection.transport(),
                connection.userId, settings.sendBuffer());
        closed(connection);
    }

    @Override
    public void failed(PushConnection connection, Exception e) {
        LOG.debug("Writing to a {} client of user {} failed: {}", connection.transport(), connection.userId, e.toString());
        closed(connection);
    }

    private AtomicInteger counter(PushConnection connection) {
        return "sse".equals(connection.transport()) ? sse : webSockets;
    }

    /** Closes every connection (clients reconnect elsewhere and resume) and withdraws this instance's presence. */
    @PreDestroy
    public void shutdown() {
        timer.shutdownNow();
        List<String> users = new ArrayList<>(byUser.keySet());
        for (Set<PushConnection> connections : byUser.values()) {
            for (PushConnection connection : connections) {
                connection.close(PushCloseCodes.GOING_AWAY, "server stopping: reconnect and resume");
            }
        }
        try {
            inbox.absent(instanceId, users);
        } catch (RuntimeException e) {
            LOG.debug("Presence not withdrawn (it expires by itself): {}", e.getMessage());
        }
        replayers.shutdownNow();
        senders.shutdown();
        sseSenders.shutdown();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
