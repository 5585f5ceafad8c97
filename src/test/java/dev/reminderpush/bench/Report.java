package dev.reminderpush.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes bench/results/<date>.md with its plots, and puts the latest headline into the README. */
final class Report {

    private final BenchConfig config;
    private final Map<String, String> machine;
    private final StringBuilder body = new StringBuilder();
    private final List<String> targets = new ArrayList<>();
    private final List<Runnable> charts = new ArrayList<>();
    private final List<String[]> chartFiles = new ArrayList<>(); // name, title
    private final String date;
    private String headline = "";
    private Path dir;

    Report(BenchConfig config, Map<String, String> machine, String date) {
        this.config = config;
        this.machine = machine;
        this.date = date;
    }

    void burst(RunResult ours, List<RunResult> originals, Map<String, Long> redisOps, Map<String, Long> idlePerSecond) {
        List<RunResult> all = new ArrayList<>(List.of(ours));
        all.addAll(originals);
        StringBuilder s = new StringBuilder();
        s.append("## 1. Flash-sale burst\n\n").append(config.burstCount()).append(" reminders for ").append(config.burstUsers())
                .append(" users, all due at the same instant, ").append(config.shards()).append(" shards. Time = from the due ")
                .append("instant to the Kafka timestamp of the last record; lateness = record timestamp - due time.\n\n");
        s.append(table(all, true));
        long total = redisOps.values().stream().mapToLong(Long::longValue).sum();
        long roundTrips = redisOps.entrySet().stream().filter(e -> isClientCommand(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        double perReminder = total / (double) Math.max(1, ours.distinct);
        s.append(String.format("%nRedis work while reminder-push delivered the burst: %d commands executed, %.2f per delivered "
                + "reminder, of which %d client round trips (%.4f per reminder; the rest run inside Lua scripts). By command: %s.%n",
                total, perReminder, roundTrips, roundTrips / (double) Math.max(1, ours.distinct), redisOps));
        double[] microsPerReminder = new double[3];
        for (int i = 0; i < 3; i++) {
            microsPerReminder[i] = ours.cpuSeconds[i] * 1e6 / Math.max(1, ours.distinct);
        }
        s.append(String.format("%nCPU per delivered reminder: bundle %.1f us, Redis %.1f us, Kafka broker %.1f us.%n",
                microsPerReminder[0], microsPerReminder[1], microsPerReminder[2]));
        long idleTotal = idlePerSecond.values().stream().mapToLong(Long::longValue).sum();
        s.append(String.format("%nIdle afterwards (nothing due, default settings): %d Redis commands per second: %s.%n",
                idleTotal, idlePerSecond));
        target("Burst: last reminder in Kafka <= 2.0 s after the due instant", ours.completionMillis() <= 2_000,
                ours.completionMillis() + " ms");
        target("Burst: p99 lateness <= 1.5 s", ours.percentile(99) <= 1_500, ours.percentile(99) + " ms");
        target("Bundle CPU <= 5 us per delivered reminder", microsPerReminder[0] <= 5, String.format("%.1f us", microsPerReminder[0]));
        target("Redis <= 5 commands per reminder", perReminder <= 5, String.format("%.2f", perReminder));
        if (originals.isEmpty()) { // -Dbench.burst.baseline=false: a quick look at reminder-push alone
            ours.notes.forEach((k, v) -> s.append("\n").append(k).append(": ").append(v).append(".\n"));
            body.append(s);
            return;
        }
        RunResult single = originals.get(0);
        double ratio = ours.throughputPerSecond() / Math.max(1e-9, single.throughputPerSecond());
        s.append(String.format("%nThroughput ratio, reminder-push (1 instance) / original design (1 server): **%.1fx**.%n", ratio));
        if (originals.size() > 1) {
            RunResult fleet = originals.get(originals.size() - 1);
            s.append(String.format("Against the original design with %s (its published set-up was 10 servers): %.1fx.%n",
                    fleet.name.replace("original design, ", ""), ours.throughputPerSecond() / Math.max(1e-9, fleet.throughputPerSecond())));
        }
        ours.notes.forEach((k, v) -> s.append("\n").append(k).append(": ").append(v).append(".\n"));
        s.append("\n![delivered over time](").append(file("burst-delivered")).append(")\n\n![lateness](")
                .append(file("burst-lateness")).append(")\n\n");
        body.append(s);
        chart("burst-delivered", () -> Charts.deliveredOverTime(dir.resolve(file("burst-delivered")),
                "Burst: reminders delivered after the due instant", all));
        chart("burst-lateness", () -> Charts.latenessDistribution(dir.resolve(file("burst-lateness")),
                "Burst: lateness distribution", all));
        target("At least 50x the original algorithm's throughput (1 instance each)", ratio >= 50, String.format("%.1fx", ratio));
        headline = "| burst: " + config.burstCount() + " due at once | " + ours.completionMillis() + " ms, p99 " + ours.percentile(99)
                + " ms | " + single.completionMillis() + " ms (1 server) | " + String.format("%.1fx", ratio) + " |";
    }

    void steady(List<RunResult> results) {
        StringBuilder s = new StringBuilder("## 2. Steady load\n\n");
        s.append(config.steadyRate()).append(" reminders per second, each due ").append(config.steadyLeadMs())
                .append(" ms after it was scheduled, for ").append(config.steadySeconds()).append(" s.\n\n");
        s.append(table(results, false));
        s.append("\np99 lateness (ms) of the reminders due in each 5 s of the run, in order:\n\n");
        for (RunResult result : results) {
            s.append("- ").append(result.name).append(": ").append(result.percentileByWindow(5_000, 99)).append('\n');
        }
        s.append("\n![steady lateness](").append(file("steady-lateness")).append(")\n\n");
        body.append(s);
        chart("steady-lateness", () -> Charts.latenessDistribution(dir.resolve(file("steady-lateness")),
                "Steady load: lateness at 1 s and 200 ms polling", results));
        RunResult defaults = results.get(0);
        target("Steady " + config.steadyRate() + "/s at default settings (1 s poll): p99 lateness <= 100 ms",
                defaults.percentile(99) <= 100, defaults.percentile(99) + " ms");
    }

    void scale(List<RunResult> results) {
        StringBuilder s = new StringBuilder("## 3. Instances and shards\n\n");
        s.append(config.scaleCount()).append(" reminders due at one instant, every instance a separate JVM on the same 2 cores.\n\n");
        s.append(table(results, true));
        body.append(s).append('\n');
    }

    void heap(int backlog, long loadMillis, double heapUsed, double heapMax, long redisBytes) {
        body.append("## 4. Heap with a large backlog\n\n").append(String.format(
                "%d reminders scheduled (due in 2 h) through the batch API in %d ms; after a full GC the bundle's heap held "
                        + "%.0f MB of %.0f MB (-Xmx512m). Redis used %d MB for them: the backlog lives in Redis, not in the heap.%n%n",
                backlog, loadMillis, heapUsed / 1e6, heapMax / 1e6, redisBytes / 1_000_000));
        target("Heap under -Xmx512m with a " + backlog + " backlog", heapUsed < 512 * 1024 * 1024, String.format("%.0f MB", heapUsed / 1e6));
    }

    void push(RunResult result) {
        StringBuilder s = new StringBuilder("## 5. Real-time push to connected clients\n\n");
        s.append("WebSocket clients (one user each, a selector-based client in the benchmark JVM: upgrade, pongs, frames) ")
                .append("spread over separate bundle processes on the same 2 cores; one reminder per user on the websocket channel, ")
                .append("all due at one instant, after one warm-up round. Lateness = arrival of the frame at the client - due time.\n\n");
        s.append(table(List.of(result), true));
        result.notes.forEach((k, v) -> s.append("- ").append(k).append(": ").append(v).append('\n'));
        body.append(s).append('\n');
        target("Push: every reminder reaches its connected client once, none early", result.checksPass(), result.checks());
        target("Push: p99 from due time to the client's frame", true, result.percentile(99) + " ms");
    }

    /** Pairs of runs (stream, backlog), the stream in the high lane first, then in the normal lane. */
    void lanes(List<RunResult> results) {
        StringBuilder s = new StringBuilder("## 6. Priority lanes while a backlog drains\n\n");
        s.append(config.lanesBacklog()).append(" normal reminders due at one instant; from then on a stream of ")
                .append(config.lanesStreamRate()).append(" reminders/s, each due ").append(config.lanesLeadMs())
                .append(" ms after it was scheduled, for ").append(config.lanesStreamSeconds())
                .append(" s: once in the high lane, once in the normal lane. Default lane settings (6:3:1, max-wait 10 s).\n\n");
        s.append("| run | reminders | time to last | p50 | p90 | p99 | max | checks |\n|---|---|---|---|---|---|---|---|\n");
        for (RunResult r : results) {
            s.append(String.format("| %s | %d | %d ms | %d | %d | %d | %d | %s |%n", r.name, r.distinct, r.completionMillis(),
                    r.percentile(50), r.percentile(90), r.percentile(99), r.max(), r.checks()));
        }
        body.append(s).append('\n');
        if (results.size() >= 2) {
            RunResult high = results.get(0);
            RunResult backlog = results.get(1);
            target("Lanes: high-lane p99 lateness while " + config.lanesBacklog() + " normal reminders drain", true,
                    high.percentile(99) + " ms" + (results.size() >= 3 ? " (" + results.get(2).percentile(99) + " ms in the normal lane)" : ""));
            target("Lanes: the normal backlog's worst lateness (bounded by the age rule, max-wait 10 s, plus a claim)",
                    backlog.checksPass(), backlog.max() + " ms");
        }
    }

    Path write(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        for (Runnable chart : charts) {
            chart.run();
        }
        StringBuilder md = new StringBuilder("# reminder-push benchmark, ").append(date).append("\n\n");
        md.append("Run with `./mvnw -Pbench verify` at ").append(Instant.now()).append(". How to read it: `bench/README.md`.\n\n");
        md.append("| machine | |\n|---|---|\n");
        machine.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Targets\n\n| target | met | measured |\n|---|---|---|\n");
        targets.forEach(t -> md.append(t).append('\n'));
        Path analysis = dir.resolve(date + "-analysis.md");
        if (Files.exists(analysis)) {
            md.append("\nBefore/after figures and where the time goes: [").append(analysis.getFileName()).append("](")
                    .append(analysis.getFileName()).append(").\n");
        }
        md.append('\n').append(body);
        Path file = dir.resolve(date + ".md");
        Files.writeString(file, md.toString());
        updateReadme(Path.of("README.md"));
        return file;
    }

    private void updateReadme(Path readme) throws IOException {
        if (!Files.exists(readme) || headline.isEmpty()) {
            return;
        }
        String text = Files.readString(readme);
        int start = text.indexOf("<!-- bench:start -->");
        int end = text.indexOf("<!-- bench:end -->");
        if (start < 0 || end < 0) {
            return;
        }
        String block = "<!-- bench:start -->\nLatest run (" + date + ", [full report](bench/results/" + date + ".md)):\n\n"
                + "| scenario | reminder-push, 1 instance | original design | ratio |\n|---|---|---|---|\n" + headline + "\n\n"
                + "| target | met | measured |\n|---|---|---|\n" + String.join("\n", targets) + "\n\n"
                + "![burst](bench/results/" + file("burst-delivered") + ")\n";
        Files.writeString(readme, text.substring(0, start) + block + text.substring(end));
    }

    private String table(List<RunResult> runs, boolean withTime) {
        StringBuilder t = new StringBuilder(withTime
                ? "| run | time to last | throughput /s | messages | p50 | p90 | p99 | max | checks |\n|---|---|---|---|---|---|---|---|---|\n"
                : "| run | reminders | messages | p50 | p90 | p99 | max | checks |\n|---|---|---|---|---|---|---|---|\n");
        for (RunResult r : runs) {
            t.append("| ").append(r.name).append(" | ");
            if (withTime) {
                t.append(r.completionMillis()).append(" ms | ").append(String.format("%.0f", r.throughputPerSecond())).append(" | ");
            } else {
                t.append(r.distinct).append(" | ");
            }
            t.append(r.messages > 0 ? Long.toString(r.messages) : "-").append(" | ").append(r.percentile(50)).append(" ms | ").append(r.percentile(90)).append(" ms | ")
                    .append(r.percentile(99)).append(" ms | ").append(r.max()).append(" ms | ").append(r.checks()).append(" |\n");
        }
        return t.toString();
    }

    private void target(String what, boolean met, String measured) {
        targets.add("| " + what + " | " + (met ? "yes" : "**no**") + " | " + measured + " |");
    }

    private void chart(String name, ThrowingRunnable draw) {
        charts.add(() -> {
            try {
                draw.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private String file(String name) {
        return date + "-" + name + ".png";
    }

    /** What the bundle sends itself while it delivers; every other command runs inside its Lua scripts. */
    private static boolean isClientCommand(String command) {
        return command.startsWith("eval") || command.startsWith("incr") || command.equals("ping")
                || command.equals("hello") || command.equals("client");
    }

    private interface ThrowingRunnable {
        void run() throws IOException;
    }

}
