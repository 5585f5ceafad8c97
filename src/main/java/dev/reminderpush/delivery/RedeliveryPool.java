package dev.reminderpush.delivery;

import dev.reminderpush.ReminderProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The thread pool profile {@code deliveryRedeliveryPool} for the scheduler that holds messages waiting for
 * their next delivery attempt (asyncDelayedRedelivery in routes/delivery.camel.yaml). Camel's default one
 * queues at most 1,000 waiting messages and rejects the rest, which in a message-center outage left
 * thousands of reminders waiting for their lease (found by the Kafka outage drill). This one holds as
 * many messages as may be in flight. A profile, not an executor bean: an Executor bean would make Spring
 * Boot skip its own task executor, which the platform-http engine needs.
 */
@Configuration(proxyBeanMethods = false)
public class RedeliveryPool {

    public static final String PROFILE = "deliveryRedeliveryPool";

    @Bean
    CamelContextConfiguration deliveryRedeliveryProfile(ReminderProperties properties) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                ThreadPoolProfile profile = new ThreadPoolProfile(PROFILE);
                profile.setPoolSize(2);
                profile.setMaxQueueSize(properties.dispatch().maxInFlight());
                camel.getExecutorServiceManager().registerThreadPoolProfile(profile);
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
            }
        };
    }
}
