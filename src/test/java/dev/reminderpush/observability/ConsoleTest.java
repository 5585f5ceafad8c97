package dev.reminderpush.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reminderpush.dispatch.ClaimingSwitch;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.ShardFunction;
import dev.reminderpush.store.StoredReminder;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.HeadlessChromium;
import dev.reminderpush.testing.Http;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The operator console (/console) in a real headless Chromium against the running bundle: the overview shows the
 * backlog, the instances and the claiming state, and its buttons pause and resume claiming; a user's reminders are
 * looked up; dead letters are listed, redriven and deleted; a failed action shows the API's error. Screenshots of
 * each page go to target/console-*.png (the README's are copies in docs/). Skipped, saying how to install one,
 * where no Chromium is installed.
 */
class ConsoleTest extends DispatchTest {

    @LocalServerPort
    int port;

    @Autowired
    ReminderStore store;

    @Autowired
    ClaimingSwitch claiming;

    @Autowired
    ShardFunction shards;

    Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
        HTTP_CENTER.clear();
    }

    @AfterEach
    void tearDown() {
        HTTP_CENTER.clear();
        claiming.resume();
    }

    void schedule(String user, String subject, Instant due, String channel) {
        String body = "{\"dueAt\":\"" + due.truncatedTo(ChronoUnit.MILLIS) + "\",\"title\":\"" + subject
                + " title\",\"body\":\"for the console\"" + (channel == null ? "" : ",\"channel\":\"" + channel + "\"") + "}";
        assertThat(http.put("/api/reminders/" + user + "/" + subject, body).statusCode()).isEqualTo(201);
    }

    boolean dead(String user, String subject) {
        return store.find(new ReminderId(user, subject)).map(r -> r.state() == StoredReminder.State.DEAD).orElse(false);
    }

    @Test
    void anOperatorSeesTheBacklogPausesClaimingLooksUpRemindersAndRedrivesDeadLetters() throws Exception {
        Path chromium = HeadlessChromium.find().orElse(null);
        Assumptions.assumeTrue(chromium != null, HeadlessChromium.MISSING);

        Instant later = Instant.now().plus(2, ChronoUnit.HOURS);
        schedule("console-user", "coupon-1", later, null);
        schedule("console-user", "coupon-2", later.plusSeconds(60), "kafka");
        schedule("console-user", "coupon-3", later.plusSeconds(120), "http");
        HTTP_CENTER.respondWith(request -> 400); // the center rejects: dead letters
        schedule("console-user", "rejected-1", Instant.now().plusMillis(200), "http");
        schedule("console-other", "rejected-2", Instant.now().plusMillis(200), "http");
        await().atMost(Duration.ofSeconds(20)).until(() -> dead("console-user", "rejected-1") && dead("console-other", "rejected-2"));

        try (HeadlessChromium browser = new HeadlessChromium(chromium);
                HeadlessChromium.Page page = browser.open("http://127.0.0.1:" + port + "/console")) {
            // overview
            HeadlessChromium.awaitTrue(page, "document.getElementById('total-dead') && document.getElementById('total-dead').textContent === '2'",
                    Duration.ofSeconds(20));
            assertThat(page.evaluate("location.pathname")).isEqualTo("/console/");
            assertThat(page.evaluate("document.getElementById('total-scheduled').textContent")).isEqualTo("3");
            assertThat(page.evaluate("document.querySelectorAll('#shards tbody tr').length")).isEqualTo("16");
            HeadlessChromium.awaitTrue(page, "[...document.querySelectorAll('#instances td')].some(td => td.textContent === 'alive')",
                    Duration.ofSeconds(15));
            HeadlessChromium.awaitTrue(page, "document.querySelector('#chart-rate polyline').getAttribute('points') !== ''",
                    Duration.ofSeconds(15)); // the first sample after 5 s
            assertThat(page.evaluate("document.getElementById('claiming').textContent")).isEqualTo("running");

            page.evaluate("document.getElementById('pause').click(); true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('claiming').textContent === 'paused by an operator'", Duration.ofSeconds(10));
            assertThat(claiming.isPaused()).isTrue();
            assertThat(page.evaluate("document.getElementById('notice').textContent")).contains("paused");
            page.evaluate("document.getElementById('resume').click(); true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('claiming').textContent === 'running'", Duration.ofSeconds(10));
            assertThat(claiming.isPaused()).isFalse();

            // online resharding from the console, 16 -> 32 and back (the rest of the suite expects 16)
            assertThat(page.evaluate("document.getElementById('layout').textContent")).isEqualTo("16 shards");
            for (int count : new int[] {32, 16}) {
                page.evaluate("window.confirm = () => true; document.getElementById('reshard-count').value = '" + count + "';"
                        + " document.getElementById('reshard-start').click(); true");
                HeadlessChromium.awaitTrue(page, "document.getElementById('notice').textContent.startsWith('Resharding to " + count
                        + " shards started')", Duration.ofSeconds(10));
                HeadlessChromium.awaitTrue(page, "document.getElementById('layout').textContent === '" + count + " shards'",
                        Duration.ofSeconds(20));
                assertThat(page.evaluate("document.getElementById('layout-detail').textContent")).startsWith("jump, epoch ")
                        .contains("last change moved");
                await().atMost(Duration.ofSeconds(5)).until(() -> shards.layout().count() == count && !shards.layout().migrating());
            }
            assertThat(store.find(new ReminderId("console-user", "coupon-2"))).isPresent(); // moved there and back

            // reminders: a user's list, one by subject, and a bad user id
            page.evaluate("location.hash = '#reminders'; document.getElementById('lookup-user').value = 'console-user';"
                    + " document.querySelector('#lookup button').click(); true");
            HeadlessChromium.awaitTrue(page, "document.querySelectorAll('#user-reminders tbody tr').length === 4", Duration.ofSeconds(10));
            assertThat(page.evaluate("[...document.querySelectorAll('#user-reminders tbody tr')].map(r => r.cells[0].textContent + '=' + r.cells[1].textContent).join(',')"))
                    .isEqualTo("rejected-1=dead,coupon-1=scheduled,coupon-2=scheduled,coupon-3=scheduled");
            assertThat(page.evaluate("document.getElementById('lookup-summary').textContent")).contains("4 reminders of console-user");
            page.screenshotFullPage(Path.of("target/console-reminders.png"));
            page.evaluate("document.getElementById('lookup-subject').value = 'coupon-3'; document.querySelector('#lookup button').click(); true");
            HeadlessChromium.awaitTrue(page, "document.querySelectorAll('#user-reminders tbody tr').length === 1", Duration.ofSeconds(10));
            assertThat(page.evaluate("document.querySelector('#user-reminders tbody tr').cells[4].textContent")).isEqualTo("http");
            page.evaluate("document.getElementById('lookup-user').value = 'no body'; document.querySelector('#lookup button').click(); true");
            HeadlessChromium.awaitTrue(page, "!document.getElementById('error').hidden", Duration.ofSeconds(10));
            assertThat(page.evaluate("document.getElementById('error').textContent")).contains("answered 400 invalid_field").contains("userId must be");

            // dead letters: list, redrive one (the center accepts now), delete the other, an action that fails
            page.evaluate("location.hash = '#dead-letters'; true");
            HeadlessChromium.awaitTrue(page, "document.querySelectorAll('#dead tbody tr').length === 2", Duration.ofSeconds(10));
            assertThat(page.evaluate("document.querySelector('#dead tbody tr').cells[2].textContent")).isEqualTo("rejected");
            assertThat(page.evaluate("document.getElementById('dead-summary').textContent")).startsWith("2 dead letters");
            page.screenshotFullPage(Path.of("target/console-dead-letters.png"));

            HTTP_CENTER.respondWith(request -> 200);
            page.evaluate("[...document.querySelectorAll('#dead tbody tr')].find(r => r.cells[1].textContent === 'console-user:rejected-1')"
                    + ".cells[0].querySelector('input').click(); document.getElementById('redrive-selected').click(); true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('notice').textContent.startsWith('Redriven 1')", Duration.ofSeconds(10));
            HeadlessChromium.awaitTrue(page, "document.querySelectorAll('#dead tbody tr').length === 1", Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("console-user", "rejected-1")).isEmpty()); // delivered
            assertThat(HTTP_CENTER.requests()).anyMatch(r -> r.json().get("userId").asText().equals("console-user"));

            assertThat(http.delete("/api/dead-letters/console-other:rejected-2").statusCode()).isEqualTo(204); // behind the page's back
            page.evaluate("[...document.querySelectorAll('#dead tbody button')].find(b => b.textContent === 'Delete').click(); true");
            HeadlessChromium.awaitTrue(page, "!document.getElementById('error').hidden", Duration.ofSeconds(10));
            assertThat(page.evaluate("document.getElementById('error').textContent")).contains("answered 404 not_found");
            Thread.sleep(3_500); // a refresh does not hide an action's error
            assertThat(page.evaluate("document.getElementById('error').hidden")).isEqualTo("false");
            HeadlessChromium.awaitTrue(page, "document.querySelectorAll('#dead tbody tr').length === 0", Duration.ofSeconds(10));

            schedule("console-other", "rejected-3", Instant.now().plusMillis(200), "http");
            HTTP_CENTER.respondWith(request -> 400);
            await().atMost(Duration.ofSeconds(20)).until(() -> dead("console-other", "rejected-3"));
            HeadlessChromium.awaitTrue(page, "document.querySelectorAll('#dead tbody tr').length === 1", Duration.ofSeconds(10));
            page.evaluate("[...document.querySelectorAll('#dead tbody button')].find(b => b.textContent === 'Delete').click(); true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('notice').textContent === 'Deleted 1.'", Duration.ofSeconds(10));
            assertThat(store.find(new ReminderId("console-other", "rejected-3"))).isEmpty();

            // redrive all, after the browser's confirmation
            schedule("console-other", "rejected-4", Instant.now().plusMillis(200), "http");
            schedule("console-user", "rejected-5", Instant.now().plusMillis(200), "http");
            await().atMost(Duration.ofSeconds(20)).until(() -> dead("console-other", "rejected-4") && dead("console-user", "rejected-5"));
            HeadlessChromium.awaitTrue(page, "document.querySelectorAll('#dead tbody tr').length === 2", Duration.ofSeconds(10));
            HTTP_CENTER.respondWith(request -> 200);
            page.evaluate("window.confirm = () => true; document.getElementById('redrive-all').click(); true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('notice').textContent.startsWith('Redriven 2')", Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("console-other", "rejected-4")).isEmpty()
                    && store.find(new ReminderId("console-user", "rejected-5")).isEmpty());

            page.evaluate("location.hash = '#overview'; true");
            HeadlessChromium.awaitTrue(page, "document.getElementById('total-dead').textContent === '0'", Duration.ofSeconds(15));
            Thread.sleep(5_500); // one more sample on the charts
            page.screenshotFullPage(Path.of("target/console-overview.png"));
        }
    }
}
