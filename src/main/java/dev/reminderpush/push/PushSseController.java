package dev.reminderpush.push;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.StreamId;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import dev.reminderpush.store.Topics;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /push/sse}: the same stream as {@code /push/ws} for clients that cannot use WebSocket, as Server-Sent
 * Events (the browser's EventSource resumes by itself with {@code Last-Event-ID}). {@code POST /push/ack?id=<id>}
 * (same identity parameters) acknowledges what the user read, as a WebSocket client's {@code {"ack":..}} does.
 */
@RestController
class PushSseController {

    private final PushClients clients;
    private final PushConnections connections;
    private final InboxStore inbox;
    private final ReminderProperties.Push settings;

    PushSseController(PushClients clients, PushConnections connections, InboxStore inbox, ReminderProperties properties) {
        this.clients = clients;
        this.connections = connections;
        this.inbox = inbox;
        this.settings = properties.push();
    }

    @GetMapping(path = "/push/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter subscribe(@RequestParam(required = false) String userId, @RequestParam(required = false) String token,
            @RequestParam(required = false) String resume, @RequestParam(required = false) List<String> topics,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            HttpServletResponse response) throws IOException {
        PushClients.Admitted admitted;
        try {
            // EventSource reconnects to the same URL with Last-Event-ID: the later of the two ids is where it is
            admitted = clients.admit(userId, token, later(resume, lastEventId));
        } catch (PushRefusal refusal) {
            PushHttp.refuse(new ServletServerHttpResponse(response), refusal);
            return null;
        }
        if (topics != null) {
            for (String topic : topics) {
                if (!Topics.isValid(topic) || topics.size() > PushConnections.MAX_TOPICS_PER_CONNECTION) {
                    connections.release();
                    PushHttp.refuse(new ServletServerHttpResponse(response), new PushRefusal(400, "invalid_request", "topics",
                            "topics is a comma-separated list of at most " + PushConnections.MAX_TOPICS_PER_CONNECTION
                                    + " topics, each " + Topics.RULE));
                    return null;
                }
            }
        }
        SseEmitter emitter = new SseEmitter(0L); // no timeout: pings keep it alive, a failed write ends it
        SseConnection connection = new SseConnection(emitter, admitted.userId(), admitted.resumeAfter(),
                settings.sendBuffer().toBytes(), connections.sseSenders());
        emitter.onCompletion(() -> connections.closed(connection));
        emitter.onError(e -> connections.closed(connection));
        emitter.onTimeout(() -> connections.closed(connection));
        try {
            connections.open(connection);
            if (topics != null) {
                topics.forEach(topic -> connections.subscribe(connection, topic));
            }
        } catch (RuntimeException e) {
            connections.release();
            PushHttp.refuse(new ServletServerHttpResponse(response),
                    new PushRefusal(503, "unavailable", null, "presence could not be recorded: retry"));
            return null;
        }
        return emitter;
    }

    private static String later(String resume, String lastEventId) {
        if (resume == null || resume.isEmpty()) {
            return lastEventId;
        }
        if (lastEventId == null || lastEventId.isEmpty()) {
            return resume;
        }
        try {
            return StreamId.parse(lastEventId).compareTo(StreamId.parse(resume)) > 0 ? lastEventId : resume;
        } catch (IllegalArgumentException e) {
            return resume; // the bad one is refused by admit with its own field name
        }
    }

    /** The monitor of the example page: what this instance holds (counts only, no user ids). */
    @GetMapping(path = "/push/stats", produces = MediaType.APPLICATION_JSON_VALUE)
    PushConnections.Stats stats() {
        return connections.stats();
    }

    @PostMapping(path = "/push/ack", produces = MediaType.APPLICATION_JSON_VALUE)
    void acknowledge(@RequestParam(required = false) String userId, @RequestParam(required = false) String token,
            @RequestParam(required = false) String id, HttpServletResponse response) throws IOException {
        String answer;
        try {
            String user = clients.identifyOnly(userId, token);
            StreamId upTo;
            try {
                upTo = StreamId.parse(id);
            } catch (IllegalArgumentException e) {
                throw new PushRefusal(400, "invalid_request", "id", "id must be the id of a message received, <digits>-<digits>");
            }
            answer = "{\"removed\":" + inbox.acknowledge(user, upTo) + "}";
        } catch (PushRefusal refusal) {
            PushHttp.refuse(new ServletServerHttpResponse(response), refusal);
            return;
        }
        response.setStatus(200);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
    }
}
