package dev.reminderpush.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Errors Tomcat answers itself, before any route or controller sees the request (a request target with characters
 * HTTP does not allow, an unreadable request line): a JSON body like every other error of the API, instead of
 * Tomcat's HTML page. Errors the application answers have their body already and pass through untouched.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // the guards of Tomcat's own valve: an error page is written once, and only while the connection may take it
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        String error = ApiErrorAttributes.errorCode(status);
        String message = status == 400
                ? "the request could not be read as HTTP (a character a request target may not hold? percent-encode it)"
                : "HTTP " + status;
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"error\":\"" + error + "\",\"message\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away: nothing to tell it
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReports() {
            return factory -> factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
                }
            });
        }
    }
}
