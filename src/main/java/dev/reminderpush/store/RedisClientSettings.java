package dev.reminderpush.store;

import io.lettuce.core.ClientOptions;
import java.time.Clock;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RedisClientSettings {

    /**
     * While Redis is unreachable, fail commands at once instead of buffering them for the reconnect:
     * a producer that got a 503 must be able to trust that nothing was written later behind its back.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
