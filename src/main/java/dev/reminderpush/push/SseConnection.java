package dev.reminderpush.push;

import dev.reminderpush.store.StreamId;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A Server-Sent Events client: each message is an event with {@code id:} the inbox entry id (what the browser
 * sends back as {@code Last-Event-ID} when it reconnects) and {@code data:} the message JSON; pings are comments.
 */
final class SseConnection extends PushConnection {

    private final SseEmitter emitter;

    SseConnection(SseEmitter emitter, String userId, StreamId resumeAfter, long sendBuffer, Executor senders) {
        super(userId, resumeAfter, sendBuffer, senders);
        this.emitter = emitter;
    }

    @Override
    String transport() {
        return "sse";
    }

    @Override
    boolean answersPings() {
        return false; // an SSE client cannot answer: a dead one shows when a write fails
    }

    @Override
    protected void writeMessage(StreamId id, String json) throws IOException {
        emitter.send(SseEmitter.event().id(id.toString()).data(json, MediaType.APPLICATION_JSON));
    }

    @Override
    protected void writePing() throws IOException {
        emitter.send(SseEmitter.event().comment("ping"));
    }

    @Override
    protected void writeBroadcast(String topic, String json) throws IOException {
        emitter.send(SseEmitter.event().name("broadcast")
                .data("{\"topic\":\"" + topic + "\",\"message\":" + json + "}", MediaType.APPLICATION_JSON));
    }

    @Override
    protected void writeNotice(String json) throws IOException {
        emitter.send(SseEmitter.event().name("notice").data(json, MediaType.APPLICATION_JSON));
    }

    @Override
    protected void closeTransport(int code, String reason) {
        try {
            emitter.complete();
        } catch (RuntimeException e) {
            // already completed
        }
    }
}
