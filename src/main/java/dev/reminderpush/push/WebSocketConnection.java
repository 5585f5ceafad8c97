package dev.reminderpush.push;

import dev.reminderpush.store.StreamId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/** A WebSocket client. A message frame is {@code {"id":"<inbox entry id>","message":<the message JSON>}}. */
final class WebSocketConnection extends PushConnection {

    private static final ByteBuffer PING_PAYLOAD = ByteBuffer.allocate(0);

    private final WebSocketSession session;


    static String frame(StreamId id, String json) {
        return "{\"id\":\"" + id + "\",\"message\":" + json + "}";
    }

    private final jakarta.websocket.RemoteEndpoint.Async async;

    /**
     * Text frames go out through the container's asynchronous sender (Tomcat), bounded by {@code sendTimeout}: a
     * client that stops reading holds no thread, only its own queue. Pings and the close frame are blocking writes,
     * bounded by the session's blocking send timeout.
     */
    WebSocketConnection(WebSocketSession session, jakarta.websocket.Session container, String userId, StreamId resumeAfter,
            long sendBuffer, Executor senders, long sendTimeoutMillis) {
        this(session, userId, resumeAfter, sendBuffer, senders, container == null ? null : container.getAsyncRemote());
        if (async != null) {
            async.setSendTimeout(sendTimeoutMillis);
        }
    }

    private WebSocketConnection(WebSocketSession session, String userId, StreamId resumeAfter, long sendBuffer,
            Executor senders, jakarta.websocket.RemoteEndpoint.Async async) {
        super(userId, resumeAfter, sendBuffer, senders);
        this.session = session;
        this.async = async;
    }

    @Override
    protected boolean writesAsync() {
        return async != null;
    }

    @Override
    protected boolean writeAsync(String text, java.util.function.Consumer<Throwable> done) {
        if (async == null) {
            return false;
        }
        try {
            async.sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
        } catch (RuntimeException e) {
            done.accept(e);
        }
        return true;
    }

    @Override
    protected String messageText(StreamId id, String json) {
        return frame(id, json);
    }

    @Override
    protected String broadcastText(String topic, String json) {
        return "{\"topic\":\"" + topic + "\",\"message\":" + json + "}";
    }

    @Override
    String transport() {
        return "websocket";
    }

    @Override
    boolean answersPings() {
        return true;
    }

    @Override
    protected void writeMessage(StreamId id, String json) throws IOException {
        session.sendMessage(new TextMessage(frame(id, json)));
    }

    @Override
    protected void writePing() throws IOException {
        session.sendMessage(new PingMessage(PING_PAYLOAD.duplicate()));
    }

    @Override
    protected void writeBroadcast(String topic, String json) throws IOException {
        session.sendMessage(new TextMessage(broadcastText(topic, json)));
    }

    @Override
    protected void writeNotice(String json) throws IOException {
        session.sendMessage(new TextMessage(json));
    }

    @Override
    protected void closeTransport(int code, String reason) {
        try {
            session.close(new CloseStatus(code, reason));
        } catch (IOException | RuntimeException e) {
            // already closed
        }
    }
}
