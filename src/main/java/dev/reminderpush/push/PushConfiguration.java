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
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * Real-time push: the WebSocket endpoint {@code /push/ws}, and this instance's subscription to its own pub/sub
 * channel {@code <prefix>:push:<instance id>}, where inbox-append.lua publishes the messages of users connected
 * here ({@code <userId>\n<entry id>\n<previous entry id>\n<message JSON>}, read by position: the writer is the script,
 * never a client), and to {@code <prefix>:broadcasts} ({@code <topic>\n<messageId>\n<message JSON>}).
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
        // one reused thread keeps each user's messages in order (a SimpleAsyncTaskExecutor would start one per message)
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "push-listener");
            t.setDaemon(true);
            return t;
        });
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(redis);
        container.setTaskExecutor(thread::execute);
        container.addMessageListener(new InstanceChannel(connections), new ChannelTopic(keys.pushChannel(instance.value())));
        container.addMessageListener((message, pattern) -> {
            String[] parts = parts(message.getBody(), 3, "topic and messageId");
            if (parts != null) {
                connections.deliverBroadcast(parts[0], parts[1], parts[2]);
            }
        }, new ChannelTopic(keys.broadcasts()));
        return container;
    }

    /** {@code count - 1} newline-ended parts and the rest, or null (logged) when a part is missing. */
    static String[] parts(byte[] body, int count, String what) {
        String text = new String(body, StandardCharsets.UTF_8);
        String[] parts = new String[count];
        int from = 0;
        for (int i = 0; i < count - 1; i++) {
            int newline = text.indexOf('\n', from);
            if (newline < 0) {
                LOG.warn("Ignored a push message without its {}", what);
                return null;
            }
            parts[i] = text.substring(from, newline);
            from = newline + 1;
        }
        parts[count - 1] = text.substring(from);
        return parts;
    }

    /**
     * This instance's channel: messages of users connected here. Each (re)subscription (after Redis or the
     * connection to it came back) sends every connection back to replaying from its last message: what was
     * published meanwhile is in the inbox, not in pub/sub.
     */
    private record InstanceChannel(PushConnections connections) implements MessageListener, SubscriptionListener {

        @Override
        public void onMessage(Message message, byte[] pattern) {
            String[] parts = parts(message.getBody(), 4, "user, id and previous id");
            if (parts != null) {
                connections.deliverLive(parts[0], parts[2].isEmpty() ? null : StreamId.parse(parts[2]),
                        StreamId.parse(parts[1]), parts[3]);
            }
        }

        @Override
        public void onChannelSubscribed(byte[] channel, long count) {
            connections.resyncAll();
        }
    }
}
