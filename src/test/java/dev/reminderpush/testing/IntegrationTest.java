package dev.reminderpush.testing;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole bundle on a random HTTP port, against the shared embedded
 * Redis and Kafka. Redis is emptied before each test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@CamelSpringBootTest
public abstract class IntegrationTest {

    @Autowired
    protected StringRedisTemplate redis;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure infra = TestInfrastructure.get();
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", () -> infra.redis().port());
        registry.add("camel.component.kafka.brokers", infra::kafkaBootstrapServers);
    }

    @BeforeEach
    void emptyRedis() {
        redis.getRequiredConnectionFactory().getConnection().serverCommands().flushAll();
    }
}
