package dev.reminderpush.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP message center for the HTTP channel: records every request and answers with whatever
 * status the test's responder decides (which may also block, to keep a delivery in flight).
 */
public final class MessageCenterServer implements AutoCloseable {

    public record Request(String idempotencyKey, JsonNode json, long receivedAt) {}

    /** A call to the batch URL: {@code {"messages":[...]}}. */
    public record BatchRequest(JsonNode json, long receivedAt) {
        public List<String> messageIds() {
            List<String> ids = new ArrayList<>();
            json.path("messages").forEach(m -> ids.add(m.path("messageId").asText()));
            return ids;
        }
    }

    /** What the batch URL answers: a status and a body (null for none). */
    public record Answer(int status, String body) {
        /** 200 with {@code {"accepted":[ids]}}. */
        public static Answer accepting(List<String> messageIds) {
            try {
                return new Answer(200, MAPPER.writeValueAsString(Map.of("accepted", messageIds)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Integer> responder = request -> 200;
    private final List<BatchRequest> batchRequests = new CopyOnWriteArrayList<>();
    private volatile Function<BatchRequest, Answer> batchResponder = request -> Answer.accepting(request.messageIds());

    public MessageCenterServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/messages", this::handle);
        server.createContext("/batches", this::handleBatch);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/messages";
    }

    /** The batch URL (reminders.delivery.http.batch-url); by default it accepts every message it gets. */
    public String batchUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/batches";
    }

    public void respondToBatchesWith(Function<BatchRequest, Answer> responder) {
        this.batchResponder = responder;
    }

    public List<BatchRequest> batchRequests() {
        return List.copyOf(batchRequests);
    }

    /** Decides the status of each request; called on the server's thread, so it may block. */
    public void respondWith(Function<Request, Integer> responder) {
        this.responder = responder;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
        responder = request -> 200;
        batchRequests.clear();
        batchResponder = request -> Answer.accepting(request.messageIds());
    }

    private void handle(HttpExchange exchange) throws IOException {
        Request request = new Request(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                MAPPER.readTree(exchange.getRequestBody()), System.currentTimeMillis());
        requests.add(request);
        int status = responder.apply(request);
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private void handleBatch(HttpExchange exchange) throws IOException {
        BatchRequest request = new BatchRequest(MAPPER.readTree(exchange.getRequestBody()), System.currentTimeMillis());
        batchRequests.add(request);
        Answer answer = batchResponder.apply(request);
        byte[] body = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
