package dev.reminderpush.bench;

import dev.reminderpush.testing.BundleProcess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.EmbeddedKafka;
import dev.reminderpush.testing.EmbeddedRedis;
import dev.reminderpush.testing.TestInfrastructure;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * The benchmark ({@code ./mvnw -Pbench verify}, see bench/README.md): one instance of reminder-push against
 * the original design on the same embedded Redis and Kafka, the same data and the same machine, in one
 * invocation. Writes bench/results/<date>.md with plots.
 */
class BenchmarkIT {

    private final BenchConfig config = BenchConfig.fromSystemProperties();
    private final List<String> failures = new ArrayList<>();
    private final long started = System.currentTimeMillis();
    private final AtomicInteger runs = new AtomicInteger();
    private String redisUri;
    private String kafka;

    @Test
    void run() throws Exception {
        System.setProperty("java.awt.headless", "true");
        EmbeddedRedis redisServer = null;
        EmbeddedKafka kafkaServer = null;
        int redisPort;
        if (config.redis() == null) {
            redisPort = TestInfrastructure.freePort();
            redisServer = new EmbeddedRedis(redisPort).start();
            redisUri = "redis://127.0.0.1:" + redisPort;
        } else {
            redisUri = "redis://" + config.redis();
            redisPort = Integer.parseInt(config.redis().substring(config.redis().indexOf(':') + 1));
        }
        if (config.kafka() == null) {
            kafkaServer = new EmbeddedKafka(0).start();
            kafka = kafkaServer.bootstrapServers();
        } else {
            kafka = config.kafka();
        }
        progress("Redis " + redisUri + ", Kafka " + kafka + "; scenarios " + config.scenarios());
        Report report = new Report(config, machine(), LocalDate.now(ZoneOffset.UTC).toString());
        try {
            if (config.runs("burst")) {
                burst(report, redisPort);
            }
            if (config.runs("steady")) {
                steady(report, redisPort);
            }
            if (config.runs("scale")) {
                scale(report, redisPort);
            }
            if (config.runs("heap")) {
                heap(report, redisPort);
            }
            if (config.runs("push")) {
                push(report, redisPort);
            }
            if (config.runs("lanes")) {
                lanes(report, redisPort);
            }
        } finally {
            Path written = report.write(Path.of("bench", "results"));
            progress("Report written: " + written + " (" + (System.currentTimeMillis() - started) / 1000 + " s in all)");
            if (kafkaServer != null) {
                kafkaServer.stop();
            }
            if (redisServer != null) {
                redisServer.stop();
            }
        }
        assertThat(failures).as("checks of reminder-push runs").isEmpty();
    }

    // ---- scenario 1: flash-sale burst, ours vs the original design -------------------------------------------

    private void burst(Report report, int redisPort) throws Exception {
        int count = config.burstCount();
        int users = config.burstUsers();
        flush();
        String topic = topic("burst-ours");
        RunResult ours;
        Map<String, Long> ops;
        Map<String, Long> idle;
        try (BundleProcess bundle = bundle("burst", redisPort, topic, config.shards(), Map.of())) {
            bundle.awaitReady(Duration.ofSeconds(90));
            warmUp(bundle, count);
            long due = System.currentTimeMillis() + 12_000 + count / 20;
            progress("burst: loading " + count + " reminders for " + users + " users through the API, all due at +"
                    + (due - System.currentTimeMillis()) + " ms");
            Loader.viaApi(bundle.port(), count, i -> Integer.toString(i % users), i -> due);
            Map<String, Long> before = commandStats();
            Map<String, Long> microsBefore = commandMicros();
            waitUntil(due);
            double[] cpuBefore = {bundle.cpuSeconds(), redisCpuSeconds(), BundleProcess.cpuSeconds(ProcessHandle.current().pid())};
            progress("burst: due now; reminder-push delivering");
            awaitEmpty("reminders:{*}:payload", Duration.ofSeconds(180)); // acknowledged = accepted by Kafka
            double[] cpuAfter = {bundle.cpuSeconds(), redisCpuSeconds(), BundleProcess.cpuSeconds(ProcessHandle.current().pid())};
            ops = diff(before, commandStats());
            Map<String, Long> micros = diff(microsBefore, commandMicros());
            ours = collect("reminder-push, 1 instance", topic, count, due);
            for (int i = 0; i < 3; i++) {
                ours.cpuSeconds[i] = cpuAfter[i] - cpuBefore[i];
            }
            ours.notes.put("CPU seconds from the due instant until every reminder was acknowledged", String.format(
                    "bundle %.1f, Redis %.1f, Kafka broker (benchmark JVM) %.1f", ours.cpuSeconds[0], ours.cpuSeconds[1],
                    ours.cpuSeconds[2]));
            Map<String, Long> millis = new java.util.TreeMap<>();
            micros.forEach((command, us) -> {
                if (us >= 1_000) {
                    millis.put(command, us / 1_000);
                }
            });
            ours.notes.put("Redis time by command, ms (evalsha is the scripts' whole time, the commands they run included)",
                    millis.toString());
            progress("burst: " + ours.notes);
            idle = idleCommands();
            progress("burst: idle afterwards, Redis commands per second " + idle);
        }
        check(ours);
        progress("burst: reminder-push " + summary(ours));

        List<RunResult> originals = new ArrayList<>();
        int[] baselines = Boolean.parseBoolean(System.getProperty("bench.burst.baseline", "true"))
                ? java.util.stream.IntStream.of(1, config.baselineServers()).distinct().toArray() : new int[0];
        for (int servers : baselines) {
            flush();
            String originalTopic = topic("burst-original-" + servers);
            long due = System.currentTimeMillis() + 6_000;
            Loader.intoOriginalQueues(redisUri, config.shards(), count, i -> Integer.toString(i % users), i -> due);
            waitUntil(due);
            progress("burst: due now; original design with " + servers + " server(s) delivering");
            try (OriginalDesign original = new OriginalDesign(redisUri, kafka, originalTopic, config.shards(), servers)) {
                awaitEmpty("original:sqk_*", Duration.ofSeconds(servers == 1 ? 300 : 120));
            } // closing it flushes its producer
            RunResult result = collect("original design, " + servers + " server" + (servers == 1 ? "" : "s"), originalTopic,
                    count, due);
            originals.add(result);
            progress("burst: " + result.name + " " + summary(result));
        }
        report.burst(ours, originals, ops, idle);
    }

    // ---- scenario 2: steady load at two poll intervals --------------------------------------------------------

    private void steady(Report report, int redisPort) throws Exception {
        List<RunResult> results = new ArrayList<>();
        for (int pollMs : new int[] {1000, 200}) {
            flush();
            String topic = topic("steady-" + pollMs);
            try (BundleProcess bundle = bundle("steady-" + pollMs, redisPort, topic, config.shards(),
                    Map.of("reminders.dispatch.poll-interval", pollMs + "ms"));
                    TopicCollector collector = new TopicCollector(kafka, topic)) {
                bundle.awaitReady(Duration.ofSeconds(90));
                progress("steady " + pollMs + " ms: warming up for " + config.steadyWarmUpSeconds() + " s (users "
                        + TopicCollector.WARM_UP_PREFIX + "*, not measured)");
                steadyLoad(bundle, pollMs, 1_000_000, config.steadyWarmUpSeconds(), TopicCollector.WARM_UP_PREFIX,
                        new Random(-pollMs), () -> 0L);
                awaitEmpty("reminders:{*}:payload", Duration.ofSeconds(60));
                long firstDue = System.currentTimeMillis() + config.steadyLeadMs();
                progress("steady " + pollMs + " ms: " + config.steadyRate() + " reminders/s due " + config.steadyLeadMs()
                        + " ms ahead, for " + config.steadySeconds() + " s");
                int sent = steadyLoad(bundle, pollMs, 0, config.steadySeconds(), "s", new Random(pollMs),
                        () -> collector.reminders());
                collector.await(sent, Duration.ofSeconds(60), () -> { });
                RunResult result = new RunResult("poll " + pollMs + " ms", sent, collector.messages(), collector.deliveries(),
                        firstDue);
                check(result);
                results.add(result);
                progress("steady " + pollMs + " ms: " + summary(result) + "; p99 per 5 s of due times "
                        + result.percentileByWindow(5_000, 99));
            }
        }
        report.steady(results);
    }

    /**
     * {@code steadyRate} reminders per second in 10 posts a second, each post's reminders due {@code steadyLeadMs}
     * after it, for {@code seconds}; users {@code prefix} + a random number below 1,000,000. Returns how many.
     */
    private int steadyLoad(BundleProcess bundle, int pollMs, int firstSubject, int seconds, String prefix, Random random,
            java.util.function.LongSupplier delivered) throws Exception {
        int perTick = Math.max(1, config.steadyRate() / 10);
        int sent = 0;
        long next = System.currentTimeMillis();
        long end = next + seconds * 1000L;
        while (System.currentTimeMillis() < end) {
            long due = System.currentTimeMillis() + config.steadyLeadMs();
            Loader.viaApi(bundle.port(), firstSubject + sent, perTick, i -> prefix + random.nextInt(1_000_000), i -> due);
            sent += perTick;
            next += 100;
            long sleep = next - System.currentTimeMillis();
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
            if (sent % (config.steadyRate() * 10) < perTick) {
                progress("steady " + pollMs + " ms: " + sent + " scheduled, " + delivered.getAsLong() + " delivered");
            }
        }
        return sent;
    }

    // ---- scenario 6: priority lanes while a backlog drains ------------------------------------------------------

    /**
     * {@code bench.lanes.backlog} normal reminders due at one instant; from that instant, a stream of
     * {@code bench.lanes.stream-rate} reminders per second (each due {@code bench.lanes.lead-ms} after it was
     * scheduled, one user each) for {@code bench.lanes.stream-seconds}. Run twice: the stream in the high lane, then
     * the same stream in the normal lane (what the lanes buy).
     */
    private void lanes(Report report, int redisPort) throws Exception {
        int backlog = config.lanesBacklog();
        List<RunResult> results = new ArrayList<>();
        for (String lane : List.of("high", "normal")) {
            flush();
            String topic = topic("lanes-" + lane);
            try (BundleProcess bundle = bundle("lanes-" + lane, redisPort, topic, config.shards(), Map.of())) {
                bundle.awaitReady(Duration.ofSeconds(90));
                warmUp(bundle, 10_000_000);
                try (TopicCollector collector = new TopicCollector(kafka, topic)) {
                    long due = System.currentTimeMillis() + 12_000 + backlog / 20;
                    progress("lanes (stream " + lane + "): loading a backlog of " + backlog + " normal reminders due at +"
                            + (due - System.currentTimeMillis()) + " ms");
                    Loader.viaApi(bundle.port(), 0, backlog, i -> "n" + (i % config.burstUsers()), i -> due);
                    waitUntil(due - config.lanesLeadMs());
                    progress("lanes (stream " + lane + "): backlog due; streaming " + config.lanesStreamRate() + "/s in the "
                            + lane + " lane for " + config.lanesStreamSeconds() + " s");
                    int perTick = Math.max(1, config.lanesStreamRate() / 10);
                    int sent = 0;
                    long next = System.currentTimeMillis();
                    long end = next + config.lanesStreamSeconds() * 1000L;
                    long firstStreamDue = next + config.lanesLeadMs();
                    while (System.currentTimeMillis() < end) {
                        long streamDue = System.currentTimeMillis() + config.lanesLeadMs();
                        Loader.viaApi(bundle.port(), backlog + sent, perTick, i -> "h" + i, i -> streamDue, null, lane);
                        sent += perTick;
                        next += 100;
                        waitUntil(next);
                    }
                    collector.await(backlog + sent, Duration.ofSeconds(180), () -> { });
                    List<Delivery> all = collector.deliveries();
                    List<Delivery> stream = all.stream().filter(d -> d.reminderId().startsWith("h")).toList();
                    List<Delivery> rest = all.stream().filter(d -> !d.reminderId().startsWith("h")).toList();
                    RunResult streamed = new RunResult("stream in the " + lane + " lane", sent, -1, stream, firstStreamDue);
                    RunResult drained = new RunResult("backlog (normal), stream " + lane, backlog, -1, rest, due);
                    check(streamed);
                    check(drained);
                    results.add(streamed);
                    results.add(drained);
                    progress("lanes (stream " + lane + "): stream " + summary(streamed) + "; backlog " + summary(drained));
                }
            }
        }
        report.lanes(results);
    }

    // ---- scenario 5: real-time push to connected clients -------------------------------------------------------

    /**
     * {@code bench.push.clients} WebSocket clients (one user each) spread over {@code bench.push.instances} bundles;
     * one reminder per user on the websocket channel, all due at one instant: from due time to the frame arriving at
     * the client. The instances share the work: any one may claim a reminder whose user is connected to another.
     */
    private void push(Report report, int redisPort) throws Exception {
        int clients = config.pushClients();
        int instances = config.pushInstances();
        flush();
        String topic = topic("push");
        List<BundleProcess> bundles = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                bundles.add(bundle("push-" + i, redisPort, topic, config.shards(), Map.of(
                        "reminders.push.max-connections", Integer.toString(clients),
                        "server.tomcat.max-connections", Integer.toString(clients + 2_000),
                        "server.tomcat.accept-count", "1000")));
            }
            for (BundleProcess bundle : bundles) {
                bundle.awaitReady(Duration.ofSeconds(90));
            }
            List<Integer> ports = bundles.stream().map(BundleProcess::port).toList();
            long connecting = System.currentTimeMillis();
            try (PushLoad load = new PushLoad(ports, clients, "p")) {
                long deadline = System.currentTimeMillis() + 180_000;
                while (load.open() + load.failed() < clients && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                long connectMillis = System.currentTimeMillis() - connecting;
                List<String> perInstance = new ArrayList<>();
                for (BundleProcess bundle : bundles) {
                    perInstance.add(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + bundle.port() + "/push/stats")).build(), HttpResponse.BodyHandlers.ofString()).body());
                }
                progress("push: " + load.open() + " clients connected in " + connectMillis + " ms (" + load.failed()
                        + " failed): " + perInstance);

                // warm-up: one reminder per client, then the measured burst with fresh subjects
                long warmDue = System.currentTimeMillis() + 3_000;
                Loader.viaApi(ports.get(0), 0, clients, i -> "p" + i, i -> warmDue, "websocket");
                awaitReceived(load, clients, Duration.ofSeconds(60));
                long due = System.currentTimeMillis() + 8_000;
                progress("push: " + clients + " reminders for the connected users, due at +8 s");
                Loader.viaApi(ports.get(0), clients, clients, i -> "p" + (i - clients), i -> due, "websocket");
                waitUntil(due);
                double[] cpuBefore = {bundles.stream().mapToDouble(BundleProcess::cpuSeconds).sum(), redisCpuSeconds()};
                awaitReceived(load, 2 * clients, Duration.ofSeconds(120));
                double[] cpuAfter = {bundles.stream().mapToDouble(BundleProcess::cpuSeconds).sum(), redisCpuSeconds()};
                Thread.sleep(2_000); // any duplicate would arrive meanwhile
                List<Delivery> deliveries = new ArrayList<>();
                for (PushLoad.Received r : load.received()) {
                    if (Integer.parseInt(r.reminderId().substring(r.reminderId().indexOf(":r") + 2)) >= clients) {
                        deliveries.add(new Delivery(r.reminderId(), r.dueMillis(), r.receivedMillis()));
                    }
                }
                RunResult result = new RunResult("push, " + clients + " clients on " + instances + " instance"
                        + (instances == 1 ? "" : "s"), clients, clients, deliveries, due);
                result.cpuSeconds[0] = cpuAfter[0] - cpuBefore[0];
                result.cpuSeconds[1] = cpuAfter[1] - cpuBefore[1];
                result.notes.put("clients connected", load.open() + " of " + clients + " in " + connectMillis + " ms, "
                        + load.failed() + " refused or failed, " + load.closedByServer() + " closed by a server");
                result.notes.put("per instance (/push/stats)", String.join(" ", perInstance));
                result.notes.put("CPU seconds from the due instant until the last frame", String.format(
                        "bundles %.1f, Redis %.1f", result.cpuSeconds[0], result.cpuSeconds[1]));
                check(result);
                progress("push: " + summary(result));
                report.push(result);
            }
        } finally {
            for (BundleProcess bundle : bundles) {
                bundle.close();
            }
        }
    }

    private static void awaitReceived(PushLoad load, int count, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (load.received().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    // ---- scenario 3: instances and shards ----------------------------------------------------------------------

    private void scale(Report report, int redisPort) throws Exception {
        List<RunResult> results = new ArrayList<>();
        int count = config.scaleCount();
        for (int shards : new int[] {16, 64}) {
            String topic = topic("scale-" + shards);
            List<BundleProcess> bundles = new ArrayList<>();
            try {
                int round = 0;
                for (int instances : new int[] {1, 2, 4}) {
                    flush(); // instances already running keep going, and write back the shard layout they follow within a second
                    while (bundles.size() < instances) {
                        bundles.add(bundle("scale-" + shards + "-" + bundles.size(), redisPort, topic, shards, Map.of()));
                    }
                    for (BundleProcess bundle : bundles) {
                        bundle.awaitReady(Duration.ofSeconds(120));
                    }
                    long due = System.currentTimeMillis() + 3_000 + count / 20;
                    Loader.viaApi(bundles.get(0).port(), round * count, count, i -> Integer.toString(i % (count * 3 / 4)), i -> due);
                    waitUntil(due);
                    awaitEmpty("reminders:{*}:payload", Duration.ofSeconds(120));
                    RunResult all;
                    try (TopicCollector collector = new TopicCollector(kafka, topic)) {
                        collector.await((long) (round + 1) * count, Duration.ofSeconds(60), () -> { });
                        List<Delivery> thisRound = collector.deliveries().stream().filter(d -> d.dueMillis() == due).toList();
                        all = new RunResult(instances + " instance" + (instances == 1 ? "" : "s") + ", " + shards + " shards",
                                count, 0, thisRound, due);
                    }
                    check(all);
                    results.add(all);
                    progress("scale: " + all.name + " " + summary(all));
                    round++;
                }
            } finally {
                for (BundleProcess bundle : bundles) {
                    bundle.close();
                }
            }
        }
        report.scale(results);
    }

    // ---- the heap with a large backlog ------------------------------------------------------------------------

    private void heap(Report report, int redisPort) throws Exception {
        flush();
        int backlog = config.heapBacklog();
        try (BundleProcess bundle = bundle("heap", redisPort, topic("heap"), config.shards(), Map.of())) {
            bundle.awaitReady(Duration.ofSeconds(90));
            long due = System.currentTimeMillis() + Duration.ofHours(2).toMillis();
            long start = System.currentTimeMillis();
            progress("heap: scheduling a backlog of " + backlog + " reminders (due in 2 h) through the API");
            Loader.viaApi(bundle.port(), backlog, i -> Integer.toString(i), i -> due);
            long loadMillis = System.currentTimeMillis() - start;
            Thread.sleep(3_000); // a few poller ticks over the backlog
            new ProcessBuilder(BundleProcess.javaBinary().replaceAll("java$", "jcmd"), Long.toString(bundle.pid()), "GC.run")
                    .redirectErrorStream(true).start().waitFor();
            Thread.sleep(1_000);
            double heapUsed = metric(bundle.port(), "jvm.memory.used?tag=area:heap");
            double heapMax = metric(bundle.port(), "jvm.memory.max?tag=area:heap");
            long redisMemory;
            try (var c = RedisClient.create(redisUri).connect()) {
                redisMemory = Long.parseLong(info(c, "memory").get("used_memory"));
            }
            progress(String.format("heap: %.0f MB used of %.0f MB max with %d reminders in Redis (%d MB)",
                    heapUsed / 1e6, heapMax / 1e6, backlog, redisMemory / 1_000_000));
            report.heap(backlog, loadMillis, heapUsed, heapMax, redisMemory);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /**
     * Waits until no key matches {@code pattern} (everything claimed and acknowledged), reporting progress.
     * The topic is read afterwards: a consumer running during the burst would take CPU from the systems
     * measured, and every figure comes from the records' own timestamps anyway.
     */
    private void awaitEmpty(String pattern, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        long lastReport = System.nanoTime();
        try (StatefulRedisConnection<String, String> c = RedisClient.create(redisUri).connect()) {
            while (!c.sync().keys(pattern).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    lastReport = System.nanoTime();
                    progress("... " + c.sync().keys(pattern).size() + " keys still hold reminders");
                }
            }
        }
    }

    /**
     * A long-running instance has its delivery path compiled: {@code bench.burst.warm-up-rounds} small bursts of
     * 40,000 reminders (users {@code warm-up-*}, left out of every measurement) are delivered first, so the
     * measured burst is not the JIT's first sight of it. With one round, C2 still compiled the renderer, the
     * messageId and the merge buffer during the measured burst (about 3 CPU-s of compiler threads in JFR).
     */
    private void warmUp(BundleProcess bundle, int firstSubject) throws Exception {
        int rounds = config.burstWarmUpRounds();
        for (int round = 0; round < rounds; round++) {
            progress("burst: warming the bundle up, round " + (round + 1) + " of " + rounds + ": 40000 reminders");
            long due = System.currentTimeMillis() + 5_000;
            Loader.viaApi(bundle.port(), firstSubject + round * 40_000, 40_000,
                    i -> TopicCollector.WARM_UP_PREFIX + (i % 30_000), i -> due);
            awaitEmpty("reminders:{*}:payload", Duration.ofSeconds(60));
        }
        Thread.sleep(1_000);
    }

    private RunResult collect(String name, String topic, int expected, long due) throws Exception {
        try (TopicCollector collector = new TopicCollector(kafka, topic)) {
            collector.await(expected, Duration.ofSeconds(60), () -> { });
            return new RunResult(name, expected, collector.messages(), collector.deliveries(), due);
        }
    }

    private BundleProcess bundle(String name, int redisPort, String topic, int shards, Map<String, String> extra) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.data.redis.host", "127.0.0.1");
        properties.put("spring.data.redis.port", Integer.toString(redisPort));
        properties.put("camel.component.kafka.brokers", kafka);
        properties.put("reminders.shard-count", Integer.toString(shards));
        properties.put("reminders.delivery.kafka.topic", topic);
        properties.put("reminders.ingest.command-topic", "bench-commands");
        properties.put("reminders.dispatch.instance-id", name);
        properties.putAll(extra);
        return new BundleProcess("bundle-" + name, TestInfrastructure.freePort(), properties);
    }

    private String topic(String name) throws Exception {
        String topic = "bench-" + name + "-" + runs.incrementAndGet();
        try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", kafka))) {
            admin.createTopics(List.of(new NewTopic(topic, 16, (short) 1))).all().get();
        }
        return topic;
    }

    private void flush() {
        try (StatefulRedisConnection<String, String> c = RedisClient.create(redisUri).connect()) {
            c.sync().flushall();
            c.sync().configResetstat();
        }
    }

    /**
     * With everything delivered and nothing due (only the warm-up's leftovers are gone too), Redis commands per
     * second over 10 s: what an idle instance costs Redis (poll ticks, reaper rounds, backlog gauges).
     */
    private Map<String, Long> idleCommands() throws InterruptedException {
        Thread.sleep(2_000);
        Map<String, Long> before = commandStats();
        Thread.sleep(10_000);
        Map<String, Long> perSecond = new java.util.TreeMap<>();
        diff(before, commandStats()).forEach((command, calls) -> {
            if (!command.equals("info")) {
                perSecond.put(command, Math.round(calls / 10.0));
            }
        });
        return perSecond;
    }

    /** Microseconds Redis spent per command (INFO commandstats usec; a script's commands count for it too). */
    private Map<String, Long> commandMicros() {
        return commandStat("usec");
    }

    private Map<String, Long> commandStats() {
        return commandStat("calls");
    }

    /** One numeric field of every command's line in INFO commandstats ({@code calls=12,usec=340,...}). */
    private Map<String, Long> commandStat(String field) {
        try (StatefulRedisConnection<String, String> c = RedisClient.create(redisUri).connect()) {
            Map<String, Long> values = new LinkedHashMap<>();
            info(c, "commandstats").forEach((key, value) -> values.put(key.replace("cmdstat_", ""),
                    Long.parseLong(value.replaceAll("^(?:.*,)?" + field + "=(\\d+)(?:,.*)?$", "$1"))));
            return values;
        }
    }

    private double redisCpuSeconds() {
        try (StatefulRedisConnection<String, String> c = RedisClient.create(redisUri).connect()) {
            Map<String, String> cpu = info(c, "cpu");
            return Double.parseDouble(cpu.get("used_cpu_sys")) + Double.parseDouble(cpu.get("used_cpu_user"));
        }
    }

    private static Map<String, String> info(StatefulRedisConnection<String, String> c, String section) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : c.sync().info(section).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    private static Map<String, Long> diff(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new LinkedHashMap<>();
        after.forEach((command, calls) -> {
            long delta = calls - before.getOrDefault(command, 0L);
            if (delta > 0 && !command.equals("info") && !command.equals("config|resetstat")) {
                out.put(command, delta);
            }
        });
        return out;
    }

    private static double metric(int port, String name) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/metrics/" + name)).build(), HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        int at = body.indexOf("\"value\":");
        return Double.parseDouble(body.substring(at + 8, body.indexOf('}', at)).trim());
    }

    private void check(RunResult result) {
        if (!result.checksPass()) {
            failures.add(result.name + ": " + result.checks());
        }
    }

    private static String summary(RunResult r) {
        return String.format("%d/%d in %d ms (%.0f/s), lateness p50 %d p99 %d max %d ms; %s", r.distinct, r.expected,
                r.completionMillis(), r.throughputPerSecond(), r.percentile(50), r.percentile(99), r.max(), r.checks());
    }

    private static void waitUntil(long epochMillis) throws InterruptedException {
        long sleep = epochMillis - System.currentTimeMillis();
        if (sleep > 0) {
            Thread.sleep(sleep);
        }
    }

    private void progress(String message) {
        System.out.printf("[bench %4ds] %s%n", (System.currentTimeMillis() - started) / 1000, message);
    }

    private Map<String, String> machine() throws Exception {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("CPU", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        facts.put("Memory", Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " "));
        facts.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        facts.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try (StatefulRedisConnection<String, String> c = RedisClient.create(redisUri).connect()) {
            facts.put("Redis", info(c, "server").get("redis_version") + (config.redis() == null ? " (embedded)" : ""));
        }
        facts.put("Kafka", AppInfoParser.getVersion() + (config.kafka() == null ? " (embedded, KRaft, 1 node)" : ""));
        facts.put("Bundle", "Spring Boot " + System.getProperty("bench.boot.version", "?") + ", Camel "
                + System.getProperty("bench.camel.version", "?") + ", its own JVM with -Xmx512m, default settings");
        return facts;
    }
}
