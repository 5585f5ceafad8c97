package dev.reminderpush.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client of {@code /push/ws} (the JDK's, which answers pings as a browser does): records every
 * frame it receives and how the connection closed.
 */
public final class PushClient implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final WebSocket socket;
    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final boolean acking;

    private PushClient(String url) throws Exception {
        this(HttpClient.newHttpClient(), url, false);
    }

    private PushClient(HttpClient http, String url) throws Exception {
        this(http, url, false);
    }

    private PushClient(HttpClient http, String url, boolean acking) throws Exception {
        this.acking = acking;
        StringBuilder text = new StringBuilder();
        this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                JsonNode frame = MAPPER.readTree(text.toString());
                                frames.add(frame);
                                if (acking && frame.has("id") && frame.has("message")) { // as soon as it arrives, as a browser may
                                    webSocket.sendText("{\"ack\":\"" + frame.get("id").asText() + "\"}", true);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException("not JSON: " + text, e);
                            }
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.complete(-1);
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    /** Connects as {@code userId} (local mode), resuming after {@code resume} when not null. */
    public static PushClient connect(int port, String userId, String resume) throws Exception {
        return new PushClient("ws://127.0.0.1:" + port + "/push/ws?userId=" + userId + (resume == null ? "" : "&resume=" + resume));
    }

    public static PushClient connect(String url) throws Exception {
        return new PushClient(url);
    }

    /** Many clients share one HTTP client (and its selector thread). */
    public static PushClient connect(HttpClient http, int port, String userId) throws Exception {
        return connect(http, port, userId, null);
    }

    public static PushClient connect(HttpClient http, int port, String userId, String resume) throws Exception {
        return new PushClient(http, "ws://127.0.0.1:" + port + "/push/ws?userId=" + userId + (resume == null ? "" : "&resume=" + resume));
    }

    /** A client that acknowledges every message frame the moment it arrives, as the example page does. */
    public static PushClient connectAcking(int port, String userId) throws Exception {
        return new PushClient(HttpClient.newHttpClient(), "ws://127.0.0.1:" + port + "/push/ws?userId=" + userId, true);
    }

    /** Sends {@code {"subscribe":topic}}; the server answers {@code {"subscribed":topic}}. */
    public void subscribe(String topic) {
        send("{\"subscribe\":\"" + topic + "\"}");
    }

    public boolean subscribed(String topic) {
        return frames.stream().anyMatch(f -> topic.equals(f.path("subscribed").asText(null)));
    }

    /** The topic broadcast frames ({@code {"topic":..,"message":..}}) so far. */
    public List<JsonNode> broadcasts() {
        return frames.stream().filter(f -> f.has("topic") && f.has("message")).toList();
    }

    /** Every frame so far. */
    public List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    /** The message frames ({@code {"id":..,"message":..}}) so far. */
    public List<JsonNode> messages() {
        return frames.stream().filter(f -> f.has("id") && f.has("message")).toList();
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** The close code the server sent (-1: the connection failed). */
    public int closeCode(Duration atMost) throws Exception {
        return closed.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
            socket.abort();
        }
    }
}
