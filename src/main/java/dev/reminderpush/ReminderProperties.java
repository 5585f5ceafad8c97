package dev.reminderpush;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
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
        @Valid @DefaultValue Ingest ingest) {

    /** How far from now a due time may lie before it is rejected as absurd. */
    public record DueAt(@DefaultValue("1h") Duration maxPast, @DefaultValue("400d") Duration maxFuture) {}

    /**
     * The Kafka command topic and where commands that cannot be applied are parked. The routes read these
     * as {{reminders.ingest.*}} placeholders, so their defaults live in the jar's application.yaml.
     */
    public record Ingest(@NotBlank String commandTopic, @NotBlank String parkingTopic, @NotBlank String consumerGroup) {}
}
