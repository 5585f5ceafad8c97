package dev.reminderpush.dispatch;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * The subscription of route {@code wake-on-nudge} (routes/dispatch.camel.yaml): camel-spring-redis subscribes
 * through this container, on the application's own Redis connection settings (standalone, Sentinel or
 * Cluster, password, TLS), and hands each nudge to one thread.
 */
@Configuration(proxyBeanMethods = false)
class DueNudgeSubscription {

    @Bean
    RedisMessageListenerContainer dueNudgeListener(RedisConnectionFactory connections) {
        // not an Executor bean: Spring Boot would take it for the application's task executor (and Camel's
        // platform-http would run every API request on its one thread)
        SimpleAsyncTaskExecutor thread = new SimpleAsyncTaskExecutor("due-nudge-");
        thread.setConcurrencyLimit(1);
        thread.setDaemon(true);
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        container.setTaskExecutor(thread);
        return container;
    }

    @Bean
    RedisSerializer<String> stringRedisSerializer() {
        return RedisSerializer.string();
    }
}
