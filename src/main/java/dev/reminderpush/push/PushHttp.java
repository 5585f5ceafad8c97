package dev.reminderpush.push;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;

/** Writes a refusal as a plain HTTP answer: its status, JSON body and, when the instance is full, Retry-After. */
final class PushHttp {

    private PushHttp() {}

    static void refuse(ServerHttpResponse response, PushRefusal refusal) throws IOException {
        response.setStatusCode(HttpStatus.valueOf(refusal.status));
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (refusal.status == 503) {
            response.getHeaders().set("Retry-After", "5");
        }
        response.getBody().write(refusal.json().getBytes(StandardCharsets.UTF_8));
        response.flush();
    }
}
