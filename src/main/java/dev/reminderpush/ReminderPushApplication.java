package dev.reminderpush;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ReminderPushApplication {

    public static void main(String[] args) {
        SpringApplication.run(ReminderPushApplication.class, args);
    }
}
