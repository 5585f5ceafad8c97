package dev.reminderpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import dev.reminderpush.store.ReminderId;
import dev.reminderpush.store.ReminderStore;
import dev.reminderpush.store.StoredReminder;
import dev.reminderpush.testing.DispatchTest;
import dev.reminderpush.testing.Http;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * docs/openapi.yaml is the contract: the bundle serves exactly that file at /api-docs, every HTTP operation the
 * bundle has (Camel REST DSL, Spring MVC, the WebSocket endpoint) is in it and nothing else, and real calls of every
 * operation (each status the bundle can answer without a fault injected: 2xx, 400, 404) get responses that its
 * schemas accept (Atlassian's swagger-request-validator), for requests that its schemas accept too.
 */
class OpenApiContractTest extends DispatchTest {

    static final Path CONTRACT = Path.of("docs/openapi.yaml");
    static final OpenAPI CONTRACT_MODEL = new OpenAPIV3Parser().readContents(readContract()).getOpenAPI();

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mvc;

    @Autowired
    ReminderStore store;

    Http http;
    OpenApiInteractionValidator validator;
    final Set<String> exercised = new TreeSet<>();

    @BeforeEach
    void setUp() throws Exception {
        http = new Http(port);
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(Files.readString(CONTRACT)).build();
        HTTP_CENTER.clear();
    }

    @AfterEach
    void tearDown() {
        HTTP_CENTER.clear();
    }

    @Test
    void theBundleServesTheCommittedDocument() throws Exception {
        HttpResponse<String> served = http.get("/api-docs");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
        assertThat(served.body()).isEqualTo(Files.readString(CONTRACT));
        OpenAPI parsed = new OpenAPIV3Parser().readContents(served.body()).getOpenAPI();
        assertThat(parsed).as("a valid OpenAPI 3 document").isNotNull();
    }

    /** Operations as "METHOD /path/{param}": what the bundle answers, and what the document lists. */
    @Test
    void everyOperationOfTheBundleIsInTheDocumentAndNothingElse() {
        Set<String> bundle = new TreeSet<>();
        for (RestRegistry.RestService rest : camel.getRestRegistry().listAllRestServices()) {
            bundle.add(rest.getMethod().toUpperCase(Locale.ROOT) + " " + rest.getUrl().replaceFirst("^https?://[^/]+", ""));
        }
        for (var entry : mvc.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            HandlerMethod handler = entry.getValue();
            if (handler.getBeanType().getName().startsWith("dev.reminderpush.")) {
                for (String path : info.getPatternValues()) {
                    info.getMethodsCondition().getMethods().forEach(method -> bundle.add(method.name() + " " + path));
                }
            }
        }
        bundle.add("GET /push/ws"); // the WebSocket handshake (push.PushConfiguration), not an MVC mapping

        assertThat(documentedOperations()).isEqualTo(bundle);
    }

    @Test
    void realResponsesOfEveryOperationMatchTheDocument() throws Exception {
        String due = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS).toString();
        String reminder = "{\"dueAt\":\"" + due + "\",\"title\":\"Coupon time\",\"body\":\"soon\",\"channel\":\"kafka\",\"data\":{\"couponId\":7}}";

        // reminders
        check("PUT", "/api/reminders/42/coupon-7", reminder, 201, true);
        check("PUT", "/api/reminders/42/coupon-7", reminder, 200, true);
        check("GET", "/api/reminders/42/coupon-7", null, 200, true);
        check("PUT", "/api/reminders/42/coupon-8", "{\"dueAt\":\"soon\",\"title\":\"t\",\"body\":\"b\"}", 400, false);
        check("PUT", "/api/reminders/42/coupon-8", "not json", 400, false);
        check("PUT", "/api/reminders/42/coupon-8", "{\"dueAt\":1,\"title\":\"t\",\"body\":\"b\",\"colour\":\"red\"}", 400, false);
        check("GET", "/api/reminders/42/nothing", null, 404, true);
        check("GET", "/api/reminders/42", null, 200, true);
        check("GET", "/api/reminders/42?limit=0", null, 400, false);
        check("DELETE", "/api/reminders/42/coupon-7", null, 204, true);
        check("DELETE", "/api/reminders/42/coupon-7", null, 404, true);
        check("POST", "/api/reminders/batch", "[{\"userId\":\"1\",\"subject\":\"a\",\"dueAt\":\"" + due
                + "\",\"title\":\"t\",\"body\":\"b\"},{\"userId\":\"1\",\"subject\":\"b\",\"dueAt\":\"soon\",\"title\":\"t\",\"body\":\"b\"},"
                + "{\"userId\":\"1\",\"subject\":\"a\",\"dueAt\":" + Instant.parse(due).toEpochMilli() + ",\"title\":\"t\",\"body\":\"b\",\"channel\":\"http\"}]",
                200, false);
        check("POST", "/api/reminders/batch", "{\"not\":\"an array\"}", 400, false);

        // broadcasts
        String broadcast = "{\"dueAt\":\"" + due + "\",\"title\":\"Tip-off\",\"body\":\"now\"}";
        check("PUT", "/api/broadcasts/nba-live/tip-off", broadcast, 201, true);
        check("PUT", "/api/broadcasts/nba-live/tip-off", broadcast, 200, true);
        check("GET", "/api/broadcasts/nba-live/tip-off", null, 200, true);
        check("PUT", "/api/broadcasts/nba-live/tip-off", reminder, 400, false); // channel is not a broadcast field
        check("DELETE", "/api/broadcasts/nba-live/tip-off", null, 204, true);
        check("GET", "/api/broadcasts/nba-live/tip-off", null, 404, true);
        check("DELETE", "/api/broadcasts/nba-live/tip-off", null, 404, true);

        // dead letters: a reminder the message center rejects
        HTTP_CENTER.respondWith(request -> 400);
        String soon = Instant.now().plusMillis(200).truncatedTo(ChronoUnit.MILLIS).toString();
        check("PUT", "/api/reminders/7/rejected", "{\"dueAt\":\"" + soon + "\",\"title\":\"t\",\"body\":\"b\",\"channel\":\"http\"}", 201, true);
        await().atMost(Duration.ofSeconds(20)).until(() -> store.find(new ReminderId("7", "rejected"))
                .map(r -> r.state() == StoredReminder.State.DEAD).orElse(false));
        check("GET", "/api/reminders/7/rejected", null, 200, true);
        check("GET", "/api/dead-letters", null, 200, true);
        check("GET", "/api/dead-letters?limit=1", null, 200, true);
        check("GET", "/api/dead-letters?limit=0", null, 400, false);
        check("POST", "/api/dead-letters/redrive", "{\"ids\":[\"7:unknown\"]}", 200, true);
        check("POST", "/api/dead-letters/redrive", "{\"ids\":\"7:rejected\"}", 400, false);
        check("DELETE", "/api/dead-letters/7:rejected", null, 204, true);
        check("DELETE", "/api/dead-letters/7:rejected", null, 404, true);
        check("POST", "/api/dead-letters/redrive", "", 200, true);

        // operator
        check("GET", "/api/operator/overview", null, 200, true);
        check("POST", "/api/operator/claiming/pause", null, 200, true);
        check("POST", "/api/operator/claiming/resume", null, 200, true);
        check("GET", "/api/operator/layout", null, 200, true);
        check("POST", "/api/operator/layout", "{\"shardCount\":0}", 400, false);
        check("POST", "/api/operator/layout", "{\"shardCount\":16}", 400, true); // the layout already is 16 (202 and 409: ReshardingTest)

        // push (the stream and the handshake are checked by their own tests; here their refusals)
        check("GET", "/push/stats", null, 200, true);
        check("POST", "/push/ack?userId=42&id=1-0", null, 200, true);
        check("POST", "/push/ack?userId=42&id=soon", null, 400, false);
        check("POST", "/push/ack?id=1-0", null, 401, false);
        check("GET", "/push/sse", null, 401, false);
        check("GET", "/push/ws?userId=42&resume=soon", null, 400, false);
        check("GET", "/api-docs", null, 200, true);

        Set<String> documented = documentedOperations();
        documented.removeAll(Set.of("GET /push/sse", "GET /push/ws")); // their 200/101 are the push tests' business
        assertThat(exercised).as("operations called here").containsAll(documented);
    }

    /** One real call; its response (and, when the request is meant to be valid, the request) against the document. */
    void check(String method, String pathAndQuery, String body, int expectedStatus, boolean validRequest) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest.Builder builder = HttpRequest.newBuilder(http.uri(pathAndQuery)).method(method, publisher);
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(builder);
        String call = method + " " + pathAndQuery;
        assertThat(response.statusCode()).as("%s answered %s", call, response.body()).isEqualTo(expectedStatus);

        URI uri = URI.create(pathAndQuery);
        String path = uri.getPath();
        Request.Method verb = Request.Method.valueOf(method);
        if (validRequest) {
            SimpleRequest.Builder request = new SimpleRequest.Builder(verb, path);
            if (uri.getQuery() != null) {
                for (String pair : uri.getQuery().split("&")) {
                    String[] kv = pair.split("=", 2);
                    request.withQueryParam(kv[0], kv.length > 1 ? kv[1] : "");
                }
            }
            if (body != null && !body.isEmpty()) {
                request.withContentType("application/json").withBody(body);
            }
            assertValid(call + " (request)", validator.validateRequest(request.build()));
        }
        SimpleResponse.Builder answer = SimpleResponse.Builder.status(response.statusCode());
        response.headers().firstValue("Content-Type").ifPresent(answer::withContentType);
        if (!response.body().isEmpty()) {
            answer.withBody(response.body());
        }
        assertValid(call + " -> " + response.statusCode() + " " + response.body(), validator.validateResponse(path, verb, answer.build()));
        exercised.add(method + " " + template(path));
    }

    static void assertValid(String what, ValidationReport report) {
        assertThat(report.getMessages()).as("%s against docs/openapi.yaml", what).isEmpty();
    }

    /** The document's path template that a concrete path matches. */
    String template(String path) {
        return CONTRACT_MODEL.getPaths().keySet().stream()
                .filter(t -> path.matches(t.replaceAll("\\{[^}]+}", "[^/]+")))
                .min((a, b) -> Integer.compare(a.split("\\{").length, b.split("\\{").length)) // /batch before /{userId}/{subject}
                .orElse(path);
    }

    /** The document's operations as "METHOD /path/{param}". */
    static Set<String> documentedOperations() {
        Set<String> documented = new TreeSet<>();
        CONTRACT_MODEL.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> documented.add(method.name() + " " + path)));
        return documented;
    }

    static String readContract() {
        try {
            return Files.readString(CONTRACT);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
