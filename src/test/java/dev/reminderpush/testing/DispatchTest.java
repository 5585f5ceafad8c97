package dev.reminderpush.testing;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the dispatch tests: the bundle with its poller on (every 200 ms, merge window 1 s), and a real
 * HTTP message center for reminders on the HTTP channel. The context is closed after each test class, so
 * no poller outlives its tests and claims what other tests schedule.
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class DispatchTest extends IntegrationTest {

    protected static final MessageCenterServer HTTP_CENTER = new MessageCenterServer();

    @DynamicPropertySource
    static void dispatch(DynamicPropertyRegistry registry) {
        registry.add("reminders.dispatch.enabled", () -> "true");
        registry.add("reminders.dispatch.poll-interval", () -> "200ms");
        registry.add("reminders.dispatch.reaper-interval", () -> "200ms");
        registry.add("reminders.dispatch.merge-window", () -> "1s");
        registry.add("reminders.delivery.http.url", HTTP_CENTER::url);
        registry.add("reminders.delivery.http.timeout", () -> "2000ms");
        registry.add("reminders.delivery.retry.initial-delay", () -> "100ms");
        registry.add("reminders.delivery.retry.max-retries", () -> "3");
    }
}
