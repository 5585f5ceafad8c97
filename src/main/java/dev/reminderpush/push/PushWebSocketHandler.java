package dev.reminderpush.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.ReminderProperties;
import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.StreamId;
import jakarta.websocket.Session;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * {@code GET /push/ws}: admits the client before the upgrade ({@link PushClients}), then serves it: message frames
 * out, pings and idle checks, and what the client sends: {@code {"ack":"<id>"}} (the user read everything up to
 * that message: it leaves the inbox), {@code {"subscribe":"<topic>"}} and {@code {"unsubscribe":"<topic>"}}
 * (topic broadcasts). Anything else is answered with an error frame and changes nothing.
 */
class PushWebSocketHandler extends AbstractWebSocketHandler implements HandshakeInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(PushWebSocketHandler.class);
    private static final String ADMITTED = "pushAdmitted";
    private static final String CONNECTION = "pushConnection";
    /** Tomcat's limit on one blocking write (milliseconds). */
    private static final String TOMCAT_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    private static final int MAX_CLIENT_FRAME = 4096;
    /** Longest a ping or the close frame may block on a client that stopped reading. */
    private static final long BLOCKING_WRITE_MILLIS = 1_000;

    private final PushClients clients;
    private final PushConnections connections;
    private final InboxStore inbox;
    private final ReminderProperties.Push settings;
    private final ObjectMapper mapper = new ObjectMapper();

    PushWebSocketHandler(PushClients clients, PushConnections connections, InboxStore inbox, ReminderProperties properties) {
        this.clients = clients;
        this.connections = connections;
        this.inbox = inbox;
        this.settings = properties.push();
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) throws Exception {
        var servlet = ((ServletServerHttpRequest) request).getServletRequest();
        try {
            attributes.put(ADMITTED, clients.admit(servlet.getParameter("userId"), servlet.getParameter("token"),
                    servlet.getParameter("resume")));
            servlet.setAttribute(ADMITTED, Boolean.TRUE); // afterHandshake gives the slot back unless the upgrade happened
            return true;
        } catch (PushRefusal refusal) {
            PushHttp.refuse(response, refusal);
            return false;
        }
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Exception failure) {
        // admitted, but no upgrade followed (not a WebSocket request, a bad version, the origin check refused it, an
        // error): the connection will never open, so its slot goes back now
        var servlet = ((ServletServerHttpRequest) request).getServletRequest();
        int status = ((org.springframework.http.server.ServletServerHttpResponse) response).getServletResponse().getStatus();
        if (Boolean.TRUE.equals(servlet.getAttribute(ADMITTED)) && (failure != null || status != 101)) {
            servlet.removeAttribute(ADMITTED);
            connections.release();
            LOG.debug("Admitted WebSocket client not upgraded (status {}): {}", status, failure == null ? "-" : failure.toString());
        }
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        PushClients.Admitted admitted = (PushClients.Admitted) session.getAttributes().get(ADMITTED);
        session.setTextMessageSizeLimit(MAX_CLIENT_FRAME);
        Session container = session instanceof NativeWebSocketSession nativeSession
                && nativeSession.getNativeSession() instanceof Session jakarta ? jakarta : null;
        if (container != null) {
            // blocking writes (pings, the close frame) give up after this: a stalled client holds a thread no longer
            container.getUserProperties().put(TOMCAT_SEND_TIMEOUT, Math.min(BLOCKING_WRITE_MILLIS, settings.sendTimeout().toMillis()));
        }
        WebSocketConnection connection = new WebSocketConnection(session, container, admitted.userId(), admitted.resumeAfter(),
                settings.sendBuffer().toBytes(), connections.senders(), settings.sendTimeout().toMillis());
        session.getAttributes().put(CONNECTION, connection);
        try {
            connections.open(connection);
        } catch (RuntimeException e) {
            session.getAttributes().remove(CONNECTION);
            connections.release();
            LOG.warn("Could not open a push connection for user {}: {}", admitted.userId(), e.getMessage());
            session.close(new CloseStatus(PushCloseCodes.GOING_AWAY, "presence unavailable: reconnect"));
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        WebSocketConnection connection = (WebSocketConnection) session.getAttributes().get(CONNECTION);
        if (connection == null) {
            return;
        }
        connection.heard();
        JsonNode frame;
        try {
            frame = mapper.readTree(message.getPayload());
        } catch (Exception e) {
            connection.notice("{\"error\":\"invalid_frame\",\"message\":\"a client frame is a JSON object such as {\\\"ack\\\":\\\"<id>\\\"}\"}");
            return;
        }
        JsonNode ack = frame == null ? null : frame.get("ack");
        if (ack != null && ack.isTextual() && frame.size() == 1) {
            try {
                StreamId upTo = StreamId.parse(ack.asText());
                StreamId reach = connection.ackable(upTo);
                if (reach == null) {
                    connection.notice("{\"error\":\"invalid_frame\",\"field\":\"ack\",\"message\":\"no message was sent on this connection yet\"}");
                    return;
                }
                // never beyond what this connection wrote: an ack cannot wipe messages the client has not seen
                inbox.acknowledge(connection.userId, reach);
            } catch (IllegalArgumentException e) {
                connection.notice("{\"error\":\"invalid_frame\",\"field\":\"ack\",\"message\":\"ack must be the id of a message received\"}");
            } catch (RuntimeException e) {
                connection.notice("{\"error\":\"unavailable\",\"field\":\"ack\",\"message\":\"the ack could not be stored; send it again\"}");
            }
            return;
        }
        JsonNode subscribe = frame == null ? null : frame.get("subscribe");
        if (subscribe != null && subscribe.isTextual() && frame.size() == 1) {
            String refused = connections.subscribe(connection, subscribe.asText());
            connection.notice(refused == null ? "{\"subscribed\":\"" + subscribe.asText() + "\"}"
                    : "{\"error\":\"invalid_frame\",\"field\":\"subscribe\",\"message\":\"" + refused + "\"}");
            return;
        }
        JsonNode unsubscribe = frame == null ? null : frame.get("unsubscribe");
        if (unsubscribe != null && unsubscribe.isTextual() && frame.size() == 1) {
            connections.unsubscribe(connection, unsubscribe.asText());
            connection.notice("{\"unsubscribed\":" + mapper.valueToTree(unsubscribe.asText()) + "}");
            return;
        }
        connection.notice("{\"error\":\"invalid_frame\",\"message\":\"unknown frame: the client sends {\\\"ack\\\":\\\"<id>\\\"}, "
                + "{\\\"subscribe\\\":\\\"<topic>\\\"} or {\\\"unsubscribe\\\":\\\"<topic>\\\"}\"}");
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        PushConnection connection = (PushConnection) session.getAttributes().get(CONNECTION);
        if (connection != null) {
            connection.heard();
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        LOG.debug("WebSocket transport error: {}", exception.toString());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        PushConnection connection = (PushConnection) session.getAttributes().remove(CONNECTION);
        if (connection != null) {
            connections.closed(connection);
        }
    }
}
