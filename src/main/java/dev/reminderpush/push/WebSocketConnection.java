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

    WebSocketConnection(WebSocketSession session, String userId, StreamId resumeAfter, long sendBuffer, Executor senders) {
        super(userId, resumeAfter, sendBuffer, senders);
        this.session = session;
    }

    static String frame(StreamId id, String json) {
        return "{\"id\":\"" + id + "\",\"message\":" + json + "}";
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
        session.sendMessage(new TextMessage("{\"topic\":\"" + topic + "\",\"message\":" + json + "}"));
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
