package dev.reminderpush;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class ReminderPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(ReminderProperties.class)
    static class Config {}

    /** With the jar's application.yaml (and ./application.yaml), as the bundle starts. */
    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Config.class);

    @Test
    void defaults() {
        runner.run(context -> {
            ReminderProperties properties = context.getBean(ReminderProperties.class);
            assertThat(properties.shardCount()).isEqualTo(16);
            assertThat(properties.keyPrefix()).isEqualTo("reminders");
            assertThat(properties.maxPayloadSize().toBytes()).isEqualTo(16 * 1024);
            assertThat(properties.maxBatchItems()).isEqualTo(10_000);
            assertThat(properties.dueAt().maxPast()).isEqualTo(Duration.ofHours(1));
            assertThat(properties.dueAt().maxFuture()).isEqualTo(Duration.ofDays(400));
            assertThat(properties.dispatch().pollInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(properties.dispatch().batchSize()).isEqualTo(2000);
            assertThat(properties.dispatch().mergeWindow()).isEqualTo(Duration.ofSeconds(1));
            assertThat(properties.dispatch().lease()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.dispatch().leaseRenewal()).isEqualTo(Duration.ofSeconds(3));
            assertThat(properties.delivery().defaultChannel()).isEqualTo("kafka");
            assertThat(properties.delivery().channels()).containsExactly("kafka", "http", "websocket");
            assertThat(properties.delivery().kafka().topic()).isEqualTo("message-center-push");
            assertThat(properties.delivery().retry().maxRetries()).isEqualTo(8);
        });
    }

    @Test
    void rejectsZeroShards() {
        runner.withPropertyValues("reminders.shard-count=0").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("shardCount"));
    }

    @Test
    void rejectsAPrefixThatWouldBreakTheHashTag() {
        runner.withPropertyValues("reminders.key-prefix=re{minders}").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("keyPrefix"));
    }

    @Test
    void requiresTheTopicsTheRoutesUse() {
        runner.withPropertyValues("reminders.ingest.command-topic=").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("commandTopic"));
    }
}
