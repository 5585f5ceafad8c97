package dev.reminderpush.dispatch;

import dev.reminderpush.ReminderProperties;
import java.net.InetAddress;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Who this instance is in Redis (drain leases, claim ids): {@code reminders.dispatch.instance-id} or host-pid-random. */
@Component
public class InstanceId {

    private final String value;

    public InstanceId(ReminderProperties properties) {
        String configured = properties.dispatch().instanceId();
        this.value = configured != null && !configured.isBlank() ? configured : generated();
    }

    public String value() {
        return value;
    }

    private static String generated() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "host";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 4);
    }
}
