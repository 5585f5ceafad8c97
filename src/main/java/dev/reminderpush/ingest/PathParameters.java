package dev.reminderpush.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/**
 * The REST routes get path parameters as the client wrote them: {@code alice%40example.com} when a client encodes
 * them (browsers' encodeURIComponent does). Step decode-path-parameters of the api-errors route configuration
 * decodes them once, as a path is decoded ({@code +} stays a plus), before any validation sees them.
 */
@Component
public class PathParameters {

    static final List<String> NAMES = List.of("userId", "subject", "topic", "id");

    public void decode(Message message) {
        for (String name : NAMES) {
            Object value = message.getHeader(name);
            if (value instanceof String text && text.indexOf('%') >= 0) {
                try {
                    message.setHeader(name, UriUtils.decode(text, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) { // a broken escape: left as sent, and refused as a bad id
                }
            }
        }
    }
}
