package dev.reminderpush.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Every response the integration suite receives through {@link Http} from a documented operation is checked against
 * the contract, docs/openapi.yaml: a status the document does not list, or a body its schema refuses, fails the test
 * that made the call. Paths the document does not describe (actuator, Hawtio, static pages) are not checked here.
 */
public final class ContractCheck {

    private static final OpenApiInteractionValidator VALIDATOR = load();

    private ContractCheck() {}

    private static OpenApiInteractionValidator load() {
        try {
            return OpenApiInteractionValidator.createForInlineApiSpecification(Files.readString(Path.of("docs/openapi.yaml"))).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void check(String method, String path, HttpResponse<String> response) {
        Request.Method verb;
        try {
            verb = Request.Method.valueOf(method.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return;
        }
        SimpleResponse.Builder answer = SimpleResponse.Builder.status(response.statusCode());
        response.headers().firstValue("Content-Type").ifPresent(answer::withContentType);
        if (response.body() != null && !response.body().isEmpty()) {
            answer.withBody(response.body());
        }
        ValidationReport report = VALIDATOR.validateResponse(path, verb, answer.build());
        List<ValidationReport.Message> problems = report.getMessages().stream()
                .filter(m -> !m.getKey().endsWith(".path.missing") && !m.getKey().endsWith(".operation.notAllowed"))
                .toList();
        if (!problems.isEmpty()) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + " " + response.body()
                    + ", which docs/openapi.yaml does not allow: " + problems);
        }
    }
}
