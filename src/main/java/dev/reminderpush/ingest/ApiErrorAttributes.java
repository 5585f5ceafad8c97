package dev.reminderpush.ingest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.web.servlet.error.DefaultErrorAttributes;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.WebRequest;

/**
 * Errors that Spring answers before any route runs (a request its firewall refuses, such as an encoded {@code ;} or
 * {@code %} in the path; an unknown path) carry the API's error body, {@code {"error":..,"message":..}}, not Spring
 * Boot's default ({@code timestamp}, {@code status}, {@code path}): every error of the bundle has one shape.
 */
@Component
class ApiErrorAttributes extends DefaultErrorAttributes {

    @Override
    public Map<String, Object> getErrorAttributes(WebRequest request, ErrorAttributeOptions options) {
        Map<String, Object> spring = super.getErrorAttributes(request, options);
        Object status = spring.get("status");
        String reason = String.valueOf(spring.getOrDefault("error", "Error"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", status instanceof Integer code ? errorCode(code) : reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"));
        body.put("message", "HTTP " + status + " " + reason + (Integer.valueOf(400).equals(status)
                ? ": the request was refused before it reached the API (characters a path may not hold, even encoded?)" : ""));
        return body;
    }

    /** The error class of a status that no API route answered (the same from Spring and from Tomcat). */
    static String errorCode(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
    }
}
