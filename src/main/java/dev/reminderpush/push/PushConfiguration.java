package dev.reminderpush.push;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.dispatch.InstanceId;
import dev.reminderpush.store.InboxStore;
import dev.reminderpush.store.ReminderKeys;
import dev.reminderpush.store.StreamId;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Real-time push: the WebSocket endpoint {@code /push/ws}, and this instance's subscription to its own pub/sub
 * channel {@code <prefix>:push:<instance id>}, where inbox-append.lua publishes the messages of users connected
 * here ({@code <userId>\n<entry id>\n<message JSON>}, read by position: the writer is the script, never a client).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class PushConfiguration implements WebSocketConfigurer {

    private static final Logger LOG = LoggerFactory.getLogger(PushConfiguration.class);

    private final PushWebSocketHandler handler;
    private final ReminderProperties properties;

    PushConfiguration(PushClients clients, PushConnections connections, InboxStore inbox, ReminderProperties properties) {
        this.handler = new PushWebSocketHandler(clients, connections, inbox, properties);
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/push/ws").addInterceptors(handler)
                .setAllowedOriginPatterns(properties.push().allowedOrigins().toArray(String[]::new));
    }

    @Bean
    RedisMessageListenerContainer pushListener(RedisConnectionFactory redis, ReminderKeys keys, InstanceId instance,
            PushConnections connections) {
        SimpleAsyncTaskExecutor thread = new SimpleAsyncTaskExecutor("push-listener-");
        thread.setConcurrencyLimit(1); // one thread keeps each user's messages in order
        thread.setDaemon(true);
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(redis);
        container.setTaskExecutor(thread);
        container.addMessageListener((message, pattern) -> {
            String[] parts = threeParts(message.getBody(), "user and id");
            if (parts != null) {
                connections.deliverLive(parts[0], StreamId.parse(parts[1]), parts[2]);
            }
        }, new ChannelTopic(keys.pushChannel(instance.value())));
        container.addMessageListener((message, pattern) -> {
            String[] parts = threeParts(message.getBody(), "topic and messageId");
            if (parts != null) {
                connections.deliverBroadcast(parts[0], parts[1], parts[2]);
            }
        }, new ChannelTopic(keys.broadcasts()));
        return container;
    }

    /** {@code <first>\n<second>\n<rest>} as three strings, or null (logged) when a part is missing. */
    private static String[] threeParts(byte[] body, String what) {
        String text = new String(body, StandardCharsets.UTF_8);
        int first = text.indexOf('\n');
        int second = first < 0 ? -1 : text.indexOf('\n', first + 1);
        if (second < 0) {
            LOG.warn("Ignored a push message without its {}", what);
            return null;
        }
        return new String[] {text.substring(0, first), text.substring(first + 1, second), text.substring(second + 1)};
    }
}
