package dev.reminderpush.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real bundle, {@code java -Xmx512m -jar target/reminder-push.jar}, as its own process (benchmark and
 * fault drills). Its output goes to {@code target/<logDir>/<name>.log}.
 */
public final class BundleProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "reminder-push.jar");

    private final Process process;
    private final int port;
    private final Path log;

    public BundleProcess(String name, int port, Map<String, String> properties) throws IOException {
        this("bench", name, port, properties);
    }

    public BundleProcess(String logDir, String name, int port, Map<String, String> properties) throws IOException {
        this(logDir, name, port, properties, List.of("-jar", JAR.toString()));
    }

    /**
     * The packaged bundle with a clock running {@code skew} off (its {@code clock} bean, see {@link SkewedClock}),
     * started from the same jar through Spring Boot's PropertiesLauncher with the test classes on the path.
     */
    public static BundleProcess withClockSkew(String logDir, String name, int port, Map<String, String> properties,
            java.time.Duration skew) throws IOException {
        return new BundleProcess(logDir, name, port, properties, List.of(
                "-D" + SkewedClock.SKEW_PROPERTY + "=" + skew.toMillis(),
                "-Dloader.path=" + Path.of("target", "test-classes").toAbsolutePath(),
                "-Dloader.main=" + SkewedClock.class.getName(),
                "-cp", JAR.toString(), "org.springframework.boot.loader.launch.PropertiesLauncher"));
    }

    private BundleProcess(String logDir, String name, int port, Map<String, String> properties, List<String> launch)
            throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run it through ./mvnw verify (after the package phase)");
        }
        this.port = port;
        this.log = Path.of("target", logDir, name + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx512m"));
        String extraJvmArgs = System.getProperty("bench.bundle.jvm-args", "").replace("{name}", name);
        if (!extraJvmArgs.isBlank()) {
            command.addAll(List.of(extraJvmArgs.trim().split("\\s+")));
        }
        command.addAll(launch);
        command.addAll(List.of("--server.port=" + port,
                "--management.endpoints.web.exposure.include=health,metrics",
                "--logging.level.org.apache.kafka=WARN"));
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** CPU seconds this process has used so far (user + system), from /proc. */
    public double cpuSeconds() {
        return BundleProcess.cpuSeconds(process.pid());
    }

    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime + stime, in clock ticks
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    public void awaitReady(Duration atMost) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the bundle exited; see " + log);
            }
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the bundle did not become ready within " + atMost + "; see " + log);
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no graceful release of claims. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }
}
