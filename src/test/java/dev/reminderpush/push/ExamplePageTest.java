package dev.reminderpush.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.store.InboxStore;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.HeadlessChromium;
import dev.reminderpush.testing.Http;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example client page (/push/example.html) in a real headless Chromium against the running bundle: it connects,
 * shows a reminder pushed to it, acknowledges it, and after its connection drops it reconnects with its resume id
 * and shows only what is new. Skipped, saying how to install one, where no Chromium is installed.
 */
class ExamplePageTest extends DispatchTest {

    @LocalServerPort
    int port;

    @Autowired
    InboxStore inbox;

    void schedule(String subject, String title) {
        String due = Instant.now().plusMillis(200).truncatedTo(ChronoUnit.MILLIS).toString();
        assertThat(new Http(port).put("/api/reminders/browser-user/" + subject, "{\"dueAt\":\"" + due + "\",\"title\":\""
                + title + "\",\"body\":\"pushed to a real browser\",\"channel\":\"websocket\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void theExamplePageShowsAcknowledgesAndResumes() throws Exception {
        Path chromium = HeadlessChromium.find().orElse(null);
        Assumptions.assumeTrue(chromium != null, HeadlessChromium.MISSING);
        try (HeadlessChromium browser = new HeadlessChromium(chromium);
                HeadlessChromium.Page page = browser.open("http://127.0.0.1:" + port + "/push/example.html")) {
            HeadlessChromium.awaitTrue(page, "document.readyState === 'complete' && document.getElementById('user')", Duration.ofSeconds(20));
            page.evaluate("localStorage.clear(); document.getElementById('user').value = 'browser-user';"
                    + " document.querySelector('#connect button').click(); true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('state').textContent === 'connected'", Duration.ofSeconds(20));

            schedule("coupon", "Coupon time");
            HeadlessChromium.awaitTrue(page, "document.getElementById('log').innerText.includes('Coupon time')", Duration.ofSeconds(20));
            String firstId = page.evaluate("document.getElementById('last').textContent");
            assertThat(firstId).matches("[0-9]+-[0-9]+");
            await().atMost(Duration.ofSeconds(10)).until(() -> inbox.after("browser-user", null, 10).isEmpty()); // the page acked it
            HeadlessChromium.awaitTrue(page, "document.getElementById('stats').textContent.includes('1 WebSocket')", Duration.ofSeconds(10));

            // the connection drops; the page reconnects by itself with its resume id
            page.evaluate("socket.close(4999, 'test'); true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('state').textContent.startsWith('closed')", Duration.ofSeconds(10));
            HeadlessChromium.awaitTrue(page, "document.getElementById('state').textContent === 'connected'", Duration.ofSeconds(20));
            assertThat(page.evaluate("socket.url")).contains("resume=" + firstId);
            schedule("second", "Second one");
            HeadlessChromium.awaitTrue(page, "document.getElementById('log').innerText.includes('Second one')", Duration.ofSeconds(20));
            Thread.sleep(500);
            assertThat(page.evaluate("document.querySelectorAll('#log li').length")).isEqualTo("2");
            page.screenshot(Path.of("target/push-example.png"));
        }
    }
}
