package dev.reminderpush;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every knob of reminder-push, bound from {@code reminders.*}. Defaults here are the documented ones
 * (README, "Configuration").
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
        @Valid @DefaultValue Push push) {

    /** How far from now a due time may lie before it is rejected as absurd. */
    public record DueAt(@DefaultValue("1h") Duration maxPast, @DefaultValue("400d") Duration maxFuture) {}

    /** Limits on {@code /api/**} requests, per instance (ingest.RequestLimits). */
    public record Api(@DefaultValue("8MB") DataSize maxRequestSize, @DefaultValue("0") @Min(0) int maxRequestsPerSecond) {}

    /**
     * The Kafka command topic and where commands that cannot be applied are parked. The routes read these
     * as {{reminders.ingest.*}} placeholders, so their defaults live in the jar's application.yaml.
     */
    public record Ingest(@NotBlank String commandTopic, @NotBlank String parkingTopic, @NotBlank String consumerGroup) {}

    /**
     * Polling, claiming and merging. {@code pollIntervalMs} and {@code reaperIntervalMs} are read by the
     * routes (routes/dispatch.camel.yaml), so their defaults live in the jar's application.yaml.
     */
    public record Dispatch(
            boolean enabled,
            @Min(10) @Max(60_000) long pollIntervalMs,
            @Min(10) @Max(600_000) long reaperIntervalMs,
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
            String instanceId) {}

    /**
     * Where messages go and how failures are retried. The channel settings and the retry policy are
     * read by routes/delivery.camel.yaml, so their defaults live in the jar's application.yaml.
     */
    public record Delivery(
            @DefaultValue({"kafka", "http", "websocket"}) @NotEmpty List<@Pattern(regexp = CHANNEL_NAME) String> channels,
            @DefaultValue("kafka") @NotBlank String defaultChannel,
            @DefaultValue("0") @Min(0) @Max(256) int threads,
            @Valid Kafka kafka,
            @Valid Http http,
            @Valid Retry retry,
            @Valid @DefaultValue Circuit circuit,
            @DefaultValue("900KB") DataSize maxMessageBytes,
            @DefaultValue("100") @Min(1) @Max(100_000) int maxRemindersPerMessage) {

        /** {@code timeoutMs} bounds one send attempt (Kafka's delivery.timeout.ms), {@code requestTimeoutMs} one request. */
        public record Kafka(@NotBlank String topic, @Min(100) long timeoutMs, @Min(50) long requestTimeoutMs) {}

        /**
         * @param batchUrl optional: when set, the HTTP channel's messages of one hand-off go as one {@code POST} of
         *                 up to {@code batchMaxMessages} messages here (README "HTTP batch contract"); what the
         *                 center does not list as accepted goes alone to {@code url}
         */
        public record Http(@NotBlank String url, @Min(1) long timeoutMs, @Min(1) @Max(1000) int concurrency,
                @DefaultValue("") String batchUrl, @DefaultValue("500") @Min(1) @Max(10000) int batchMaxMessages) {

            public boolean batching() {
                return batchUrl != null && !batchUrl.isEmpty();
            }
        }

        public record Retry(
                @Min(0) int maxRetries, @Min(1) long initialDelayMs, @Min(1) double multiplier,
                @Min(1) long maxDelayMs, @Min(0) @Max(1) double jitter) {}

        /** A channel's name: lower case, so it fits a route id ({@code deliver-<channel>}) and a metrics label. */
        public static final String CHANNEL_NAME = "[a-z][a-z0-9_-]{0,31}";

        /** The default channel must be one of the channels. */
        @AssertTrue(message = "reminders.delivery.default-channel must be one of reminders.delivery.channels")
        public boolean isDefaultChannelListed() {
            return channels == null || channels.contains(defaultChannel);
        }

        /** Threads running the deliver route; 0 = one per CPU core (more only adds contention: the work is CPU). */
        public int deliveryThreads() {
            return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        }

        /** After {@code failureThreshold} failed attempts in a row, claiming pauses for {@code coolDown}. */
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
     * @param allowedOrigins  Origin header values a browser client may connect from ({@code *}: any)
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
}
