package dev.reminderpush.push;

import org.springframework.jmx.export.annotation.ManagedAttribute;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/** Real-time push in JMX (and so in Hawtio): {@code reminder-push:type=Push}. */
@Component
@ManagedResource(objectName = "reminder-push:type=Push", description = "reminder-push connected clients on this instance")
public class PushMBean {

    private final PushConnections connections;

    public PushMBean(PushConnections connections) {
        this.connections = connections;
    }

    @ManagedAttribute(description = "Open WebSocket connections")
    public int getWebSocketConnections() {
        return connections.stats().webSocket();
    }

    @ManagedAttribute(description = "Open Server-Sent Events connections")
    public int getSseConnections() {
        return connections.stats().sse();
    }

    @ManagedAttribute(description = "Users with at least one open connection")
    public int getUsersOnline() {
        return connections.stats().usersOnline();
    }

    @ManagedAttribute(description = "Topics with at least one subscribed connection")
    public int getTopics() {
        return connections.stats().topics();
    }

    @ManagedAttribute(description = "reminders.push.max-connections")
    public int getMaxConnections() {
        return connections.stats().maxConnections();
    }
}
