package dev.reminderpush.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.util.FileSystemUtils;

/**
 * A real browser for tests: Debian's Chromium, headless, driven over the DevTools protocol with the JDK's own
 * WebSocket client (no driver to download). {@link #find()} tells whether one is installed; tests skip with
 * {@link #MISSING} otherwise.
 */
public final class HeadlessChromium implements AutoCloseable {

    public static final String MISSING = "No Chromium found (/usr/bin/chromium or $CHROMIUM): the browser tests need one. "
            + "Install it with 'apt-get update && apt-get install -y chromium' (.ci/run does) and run the tests again.";
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    public static Optional<Path> find() {
        for (String candidate : new String[] {System.getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (candidate != null && Files.isExecutable(Path.of(candidate))) {
                return Optional.of(Path.of(candidate));
            }
        }
        return Optional.empty();
    }

    public HeadlessChromium(Path executable) throws IOException, InterruptedException {
        profile = Files.createTempDirectory("chromium-profile");
        process = new ProcessBuilder(List.of(executable.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1200,800", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "about:blank")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader errors = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        int found = -1;
        long deadline = System.currentTimeMillis() + 30_000;
        for (String line; found < 0 && System.currentTimeMillis() < deadline && (line = errors.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                found = Integer.parseInt(m.group(1));
            }
        }
        if (found < 0) {
            close();
            throw new IOException("Chromium did not open its DevTools port");
        }
        port = found;
        Thread drain = new Thread(() -> {
            try {
                while (errors.readLine() != null) {
                    // keep the pipe from filling up
                }
            } catch (IOException e) {
                // browser gone
            }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
    }

    /** Opens a tab at {@code url}. */
    public Page open(String url) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?"
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Page(MAPPER.readTree(created.body()).get("webSocketDebuggerUrl").asText());
    }

    /** One tab, commanded over its DevTools WebSocket. */
    public final class Page implements AutoCloseable {

        private final WebSocket socket;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();

        Page(String debuggerUrl) throws Exception {
            StringBuilder text = new StringBuilder();
            socket = http.newWebSocketBuilder().buildAsync(URI.create(debuggerUrl), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        try {
                            JsonNode message = MAPPER.readTree(text.toString());
                            CompletableFuture<JsonNode> answer = message.has("id") ? answers.remove(message.get("id").asInt()) : null;
                            if (answer != null) {
                                answer.complete(message);
                            }
                        } catch (IOException e) {
                            // not for us
                        }
                        text.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
        }

        JsonNode call(String method, ObjectNode params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            answers.put(id, answer);
            ObjectNode command = MAPPER.createObjectNode().put("id", id).put("method", method);
            command.set("params", params);
            socket.sendText(MAPPER.writeValueAsString(command), true).join();
            JsonNode reply = answer.get(30, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + ": " + reply.get("error"));
            }
            return reply.get("result");
        }

        /** Runs JavaScript in the page; returns its value as text ("" for undefined). */
        public String evaluate(String expression) throws Exception {
            JsonNode result = call("Runtime.evaluate", MAPPER.createObjectNode().put("expression", expression)
                    .put("returnByValue", true).put("awaitPromise", true));
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException("JavaScript failed: " + result.get("exceptionDetails"));
            }
            JsonNode value = result.path("result").path("value");
            return value.isMissingNode() || value.isNull() ? "" : value.asText();
        }

        /** A PNG of the page as it is now. */
        public void screenshot(Path file) throws Exception {
            JsonNode shot = call("Page.captureScreenshot", MAPPER.createObjectNode().put("format", "png"));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
        }

        /** A PNG of the whole page, beyond the window's height. */
        public void screenshotFullPage(Path file) throws Exception {
            int height = Integer.parseInt(evaluate("Math.ceil(document.documentElement.scrollHeight)"));
            int width = Integer.parseInt(evaluate("Math.ceil(document.documentElement.scrollWidth)"));
            var clip = MAPPER.createObjectNode().put("x", 0).put("y", 0).put("width", width).put("height", height).put("scale", 1);
            JsonNode shot = call("Page.captureScreenshot", MAPPER.createObjectNode().put("format", "png")
                    .put("captureBeyondViewport", true).set("clip", clip));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FileSystemUtils.deleteRecursively(profile.toFile());
    }

    /** Waits until {@code condition} holds, polling every 100 ms. */
    public static void awaitTrue(Page page, String condition, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!"true".equals(page.evaluate("Boolean(" + condition + ")"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + atMost + ": " + condition);
            }
            Thread.sleep(100);
        }
    }
}
