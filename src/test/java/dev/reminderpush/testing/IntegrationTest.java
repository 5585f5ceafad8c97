package dev.reminderpush.testing;

import dev.reminderpush.store.LayoutWatcher;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole bundle on a random HTTP port, against the shared embedded
 * Redis and Kafka. Redis is emptied before each test. The poller is off here (an ingest-only instance),
 * so tests of the store and the API see only their own writes; dispatch tests extend {@link DispatchTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "reminders.dispatch.enabled=false")
@CamelSpringBootTest
public abstract class IntegrationTest {

    @Autowired
    protected StringRedisTemplate redis;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure infra = TestInfrastructure.get();
        infra.redis().springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("camel.component.kafka.brokers", infra::kafkaBootstrapServers);
    }

    @Autowired
    protected LayoutWatcher layoutWatcher;

    /** An empty Redis, but for the shard layout record, written back at once (the watcher would within a second). */
    @BeforeEach
    void emptyRedis() {
        redis.getRequiredConnectionFactory().getConnection().serverCommands().flushAll();
        layoutWatcher.refresh();
    }
}
