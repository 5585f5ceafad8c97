package dev.reminderpush;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reminderpush.testing.IntegrationTest;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class RoutesTest extends IntegrationTest {

    @Autowired
    CamelContext camel;

    @Test
    void routesComeFromTheWorkingDirectoryWhenRunFromTheRepository() {
        assertThat(camel.getRoutes()).isNotEmpty();
        for (Route route : camel.getRoutes()) {
            assertThat(route.getSourceLocation()).as(route.getRouteId()).startsWith("file:routes/");
        }
    }

    @Test
    void everyRouteHasAStableId() {
        assertThat(camel.getRoutes()).extracting(Route::getRouteId)
                .contains("schedule-reminder", "get-reminder", "cancel-reminder", "schedule-batch", "kafka-commands",
                        "poll-shards", "reap-expired-leases", "renew-leases", "deliver", "deliver-kafka", "deliver-http", "deliver-websocket", "dead-letter", "list-dead-letters",
                        "redrive-dead-letters", "delete-dead-letter")
                .allSatisfy(id -> assertThat(id).doesNotStartWith("route"));
    }
}
