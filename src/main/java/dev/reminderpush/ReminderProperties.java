package dev.reminderpush;

import dev.reminderpush.store.DispatchStore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every knob of reminder-push, bound from {@code reminders.*} (accounts: {@code security.AccessProperties}). The
 * defaults here are the documented ones (README "Configuration", which a test compares with the metadata the
 * configuration processor writes from this file). Settings the YAML routes read as placeholders also need their
 * default in the jar's application.yaml; a test checks that both agree.
 *
 * @param shardCount     number of shards (1..16384) of a new Redis only: once the layout record <prefix>:layout
 *                       exists it wins; change the count of a running fleet with POST /api/operator/layout
 * @param keyPrefix      first part of every Redis key, [A-Za-z0-9._-]{1,64}
 * @param maxPayloadSize largest encoded reminder payload (title, body, data, ...)
 * @param maxBatchItems  most items in one POST /api/reminders/batch
 * @param dueAt          how far from now a due time may lie
 * @param api            limits on /api/** requests
 * @param ingest         the Kafka command topic
 * @param dispatch       polling, claiming, leases and merging
 * @param delivery       channels, retries and the delivery circuit
 * @param push           real-time push to connected clients
 * @param metrics        how the backlog gauges are read
 */
@Validated
@ConfigurationProperties(prefix = "reminders")
public record ReminderProperties(
        @DefaultValue("16") @Min(1) @Max(16384) int shardCount,
        // no braces or spaces: the prefix is part of every key and must not disturb the {shard} hash tag
        @DefaultValue("reminders") @Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String keyPrefix,
        @DefaultValue("16KB") DataSize maxPayloadSize,
        @DefaultValue("10000") @Min(1) @Max(1_000_000) int maxBatchItems,
        @Valid @DefaultValue DueAt dueAt,
        @Valid @DefaultValue Api api,
        @Valid @DefaultValue Ingest ingest,
        @Valid @DefaultValue Dispatch dispatch,
        @Valid @DefaultValue Delivery delivery,
        @Valid @DefaultValue Push push,
        @Valid @DefaultValue Metrics metrics) {

    /**
     * How far from now a due time may lie before it is rejected as absurd.
     *
     * @param maxPast   a due time further in the past is rejected (one in the past but within this is delivered at once)
     * @param maxFuture a due time further ahead is rejected
     */
    public record DueAt(@DefaultValue("1h") Duration maxPast, @DefaultValue("400d") Duration maxFuture) {}

    /**
     * Limits on {@code /api/**} requests, per instance (ingest.RequestLimits).
     *
     * @param maxRequestSize       largest request body on /api/** (413 beyond; a chunked body is read up to
     *                             this and then refused)
     * @param maxRequestsPerSecond requests per second on /api/** per instance, 0 = no limit (token bucket,
     *                             bursts up to one second's worth; 429 beyond)
     */
    public record Api(@DefaultValue("8MB") DataSize maxRequestSize, @DefaultValue("0") @Min(0) int maxRequestsPerSecond) {}

    /**
     * The Kafka command topic and where commands that cannot be applied are parked. The routes read these
     * as {{reminders.ingest.*}} placeholders, so their defaults are in the jar's application.yaml too.
     *
     * @param commandTopic  Kafka topic of schedule/cancel commands
     * @param parkingTopic  where commands that cannot be applied go
     * @param consumerGroup Kafka consumer group of the command route
     */
    public record Ingest(@DefaultValue("reminder-commands") @NotBlank String commandTopic,
            @DefaultValue("reminder-commands.parked") @NotBlank String parkingTopic,
            @DefaultValue("reminder-push") @NotBlank String consumerGroup) {}

    /**
     * Polling, claiming and merging. {@code enabled}, {@code pollInterval}, {@code reaperInterval},
     * {@code leaseRenewal} and {@code maxInFlight} are read by the routes (routes/dispatch.camel.yaml), so their
     * defaults are in the jar's application.yaml too.
     *
     * @param enabled          false = ingest-only instance (API and command topic, no polling)
     * @param pollInterval     Quartz trigger interval, the safety net under the wake-ups; sub-second allowed (10ms..1m)
     * @param reaperInterval   how often expired leases are reaped
     * @param batchSize        most entries per claim (at most max-in-flight: checked at startup)
     * @param tickBudget       how long one tick may keep claiming while claims come back full
     * @param lease            a claim neither acknowledged nor renewed by then is delivered again (at least 3 renewal
     *                         intervals: checked at startup)
     * @param leaseRenewal     how often an instance extends the leases of the claims it still holds
     * @param drainLease       how long a shard stays reserved for the instance draining it
     * @param mergeWindow      merge a user's reminders due within this of the first; 0 = only those claimed together
     * @param lookAheadLimit   most upcoming entries a claim scans to find merge siblings
     * @param maxLeaseExpiries lease expiries before a reminder becomes a dead letter
     * @param maxInFlight      most claimed reminders not yet acknowledged, per instance (backpressure)
     * @param wakeUpGap        least time between the end of one dispatch pass and the next wake-up: bounds the passes
     *                         per second under a steady stream of due times
     * @param instanceId       this instance's name in drain leases and claim ids (default: host-pid-random)
     * @param lanes            how a claim shares its room among the priority lanes
     */
    public record Dispatch(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("1s") @NotNull @DurationMin(millis = 10) @DurationMax(minutes = 1) Duration pollInterval,
            @DefaultValue("1s") @NotNull @DurationMin(millis = 10) @DurationMax(minutes = 10) Duration reaperInterval,
            @DefaultValue("2000") @Min(1) @Max(100_000) int batchSize,
            @DefaultValue("5s") Duration tickBudget,
            @DefaultValue("10s") Duration lease,
            @DefaultValue("3s") Duration leaseRenewal,
            @DefaultValue("3s") Duration drainLease,
            @DefaultValue("1s") Duration mergeWindow,
            @DefaultValue("2000") @Min(1) int lookAheadLimit,
            @DefaultValue("5") @Min(1) int maxLeaseExpiries,
            @DefaultValue("50000") @Min(1) int maxInFlight,
            @DefaultValue("20ms") @DurationMin(millis = 1) Duration wakeUpGap,
            String instanceId,
            @Valid @DefaultValue Lanes lanes) {

        /**
         * The priority lanes (README "Priority lanes"): among due reminders, a claim takes first everything overdue
         * by more than {@code maxWait}, oldest first, whatever its lane; the rest of its room goes to the lanes by
         * weight, and a lane with less due leaves its share to the others.
         *
         * @param highWeight   share of the high lane
         * @param normalWeight share of the normal lane
         * @param lowWeight    share of the low lane
         * @param maxWait      the age rule: overdue by more than this, a reminder is claimed whatever its lane
         */
        public record Lanes(@DefaultValue("6") @Min(1) @Max(1000) int highWeight,
                @DefaultValue("3") @Min(1) @Max(1000) int normalWeight,
                @DefaultValue("1") @Min(1) @Max(1000) int lowWeight,
                @DefaultValue("10s") @NotNull @DurationMin(millis = 1) Duration maxWait) {

            public DispatchStore.LaneShares shares() {
                return new DispatchStore.LaneShares(highWeight, normalWeight, lowWeight, maxWait.toMillis());
            }
        }
    }

    /**
     * Where messages go and how failures are retried. The channel settings and the retry policy are
     * read by routes/delivery.camel.yaml, so their defaults are in the jar's application.yaml too.
     *
     * @param channels               the channels, each a route from direct:deliver-<channel> (README "Channels")
     * @param defaultChannel         one of channels, for reminders without a channel
     * @param kafka                  the kafka channel
     * @param http                   the http channel
     * @param retry                  retries of a failed delivery attempt
     * @param circuit                when claiming pauses because deliveries keep failing
     * @param maxMessageBytes        a merged message larger than this is split (below Kafka's default 1 MB record limit)
     * @param maxRemindersPerMessage a merged message with more reminders is split
     */
    public record Delivery(
            @DefaultValue({"kafka", "http", "websocket"}) @NotEmpty List<@Pattern(regexp = CHANNEL_NAME) String> channels,
            @DefaultValue("kafka") @NotBlank String defaultChannel,
            @Valid @DefaultValue Kafka kafka,
            @Valid @DefaultValue Http http,
            @Valid @DefaultValue Retry retry,
            @Valid @DefaultValue Circuit circuit,
            @DefaultValue("900KB") DataSize maxMessageBytes,
            @DefaultValue("100") @Min(1) @Max(100_000) int maxRemindersPerMessage) {

        /**
         * The kafka channel (route deliver-kafka).
         *
         * @param topic          message-center topic
         * @param timeout        one send attempt (Kafka's delivery.timeout.ms)
         * @param requestTimeout one request to the broker (Kafka's request.timeout.ms)
         */
        public record Kafka(@DefaultValue("message-center-push") @NotBlank String topic,
                @DefaultValue("5s") @NotNull @DurationMin(millis = 100) Duration timeout,
                @DefaultValue("3s") @NotNull @DurationMin(millis = 50) Duration requestTimeout) {}

        /**
         * The http channel (route deliver-http).
         *
         * @param url              message-center endpoint
         * @param timeout          connect and response timeout
         * @param concurrency      parallel HTTP calls (thread pool and connections)
         * @param batchUrl         optional: when set, the HTTP channel's messages of one hand-off go as one
         *                         POST of up to batch-max-messages messages here (README "HTTP batch
         *                         contract"); what the center does not list as accepted goes alone to url
         * @param batchMaxMessages most messages per batch call (1-10,000)
         */
        public record Http(@DefaultValue("http://localhost:8090/messages") @NotBlank String url,
                @DefaultValue("5s") @NotNull @DurationMin(millis = 1) Duration timeout,
                @DefaultValue("32") @Min(1) @Max(1000) int concurrency,
                @DefaultValue("") String batchUrl, @DefaultValue("500") @Min(1) @Max(10000) int batchMaxMessages) {

            public boolean batching() {
                return batchUrl != null && !batchUrl.isEmpty();
            }
        }

        /**
         * Exponential backoff with jitter (routes/delivery.camel.yaml, redeliveryPolicy).
         *
         * @param maxRetries   retries after the first attempt (the waits alone last 32.6 s with the defaults:
         *                     attempts fail fast while the broker is away)
         * @param initialDelay wait before the first retry
         * @param multiplier   each wait is the one before times this
         * @param maxDelay     longest wait
         * @param jitter       each wait is randomised by up to this fraction
         */
        public record Retry(
                @DefaultValue("8") @Min(0) int maxRetries,
                @DefaultValue("200ms") @NotNull @DurationMin(millis = 1) Duration initialDelay,
                @DefaultValue("2.0") @Min(1) double multiplier,
                @DefaultValue("10s") @NotNull @DurationMin(millis = 1) Duration maxDelay,
                @DefaultValue("0.15") @Min(0) @Max(1) double jitter) {}

        /** A channel's name: lower case, so it fits a route id ({@code deliver-<channel>}) and a metrics label. */
        public static final String CHANNEL_NAME = "[a-z][a-z0-9_-]{0,31}";

        /** The default channel must be one of the channels. */
        @AssertTrue(message = "reminders.delivery.default-channel must be one of reminders.delivery.channels")
        public boolean isDefaultChannelListed() {
            return channels == null || channels.contains(defaultChannel);
        }

        /**
         * After failure-threshold failed attempts in a row, claiming pauses for cool-down.
         *
         * @param failureThreshold failed delivery attempts in a row that pause claiming
         * @param coolDown         how long claiming pauses
         */
        public record Circuit(@DefaultValue("20") @Min(1) int failureThreshold, @DefaultValue("30s") Duration coolDown) {}
    }

    /**
     * Real-time push to connected clients (package push, README "Real-time push"): connections on this instance,
     * the per-user inbox (a Redis stream) of the websocket channel, presence, heartbeats.
     *
     * @param maxConnections  WebSocket and SSE connections this instance holds; one more is refused with 503
     * @param pingInterval    how often the server pings each connection (WebSocket ping frame, SSE comment)
     * @param idleTimeout     a WebSocket connection that sent nothing (not even a pong) for this long is closed
     * @param sendBuffer      most bytes waiting to be written to one slow client; beyond it the connection is dropped
     * @param sendTimeout     longest one write to a client may block before the connection is dropped
     * @param inboxMaxLength  messages an inbox keeps (approximately: Redis trims whole stream nodes)
     * @param inboxMaxAge     messages older than this leave the inbox (and an idle inbox expires after it)
     * @param presenceTtl     how long an instance's presence for a user lasts unless renewed (every third of it)
     * @param tokenSecret     HMAC-SHA256 key of the client tokens (at least 32 bytes); required in profile production
     * @param allowedOrigins  Origin header values a browser client may connect from (*: any)
     */
    public record Push(
            @DefaultValue("10000") @Min(0) @Max(1_000_000) int maxConnections,
            @DefaultValue("20s") @DurationMin(millis = 50) Duration pingInterval,
            @DefaultValue("60s") @DurationMin(millis = 100) Duration idleTimeout,
            @DefaultValue("256KB") DataSize sendBuffer,
            @DefaultValue("10s") @DurationMin(millis = 100) Duration sendTimeout,
            @DefaultValue("1000") @Min(1) int inboxMaxLength,
            @DefaultValue("7d") @DurationMin(seconds = 1) Duration inboxMaxAge,
            @DefaultValue("30s") @DurationMin(millis = 300) Duration presenceTtl,
            @DefaultValue("") String tokenSecret,
            @DefaultValue("*") List<String> allowedOrigins) {

        @AssertTrue(message = "reminders.push.idle-timeout must be longer than reminders.push.ping-interval")
        public boolean isIdleTimeoutAfterPings() {
            return idleTimeout == null || pingInterval == null || idleTimeout.compareTo(pingInterval) > 0;
        }
    }

    /**
     * The backlog gauges (observability.BacklogGauges).
     *
     * @param refreshInterval how often the backlog gauges are read from Redis (one script call per shard; a scrape
     *                        only reads the last values)
     */
    public record Metrics(@DefaultValue("5s") @NotNull @DurationMin(millis = 100) Duration refreshInterval) {}
}
