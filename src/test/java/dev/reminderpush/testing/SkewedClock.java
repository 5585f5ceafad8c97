package dev.reminderpush.testing;

import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import dev.reminderpush.ReminderPushApplication;

/**
 * A bundle whose JVM clock (the {@code clock} bean every component reads) runs off by a fixed amount, as on
 * a host whose NTP is broken. In-JVM through {@link #ahead}; as a process through {@link #main}, started
 * from the packaged jar by {@link BundleProcess#withClockSkew}.
 */
public final class SkewedClock {

    /** System property of {@link #main}: the skew in milliseconds (negative = behind). */
    public static final String SKEW_PROPERTY = "reminders.test.clock-skew-ms";

    private SkewedClock() {}

    public static ApplicationContextInitializer<ConfigurableApplicationContext> ahead(Duration skew) {
        // after the configuration classes are read (so the bundle's own "clock" definition exists), replace it
        return context -> context.addBeanFactoryPostProcessor(beanFactory -> {
            BeanDefinitionRegistry registry = (BeanDefinitionRegistry) beanFactory;
            registry.removeBeanDefinition("clock");
            registry.registerBeanDefinition("clock", new RootBeanDefinition(Clock.class, () -> Clock.offset(Clock.systemUTC(), skew)));
        });
    }

    public static void main(String[] args) {
        Duration skew = Duration.ofMillis(Long.getLong(SKEW_PROPERTY, 0));
        SpringApplication application = new SpringApplication(ReminderPushApplication.class);
        application.addInitializers(ahead(skew));
        application.run(args);
    }
}
