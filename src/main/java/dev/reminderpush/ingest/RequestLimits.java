package dev.reminderpush.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reminderpush.ReminderProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits on the reminder and dead-letter APIs ({@code /api/**}) before a request reaches a route: a body
 * larger than {@code reminders.api.max-request-size} gets 413, more than
 * {@code reminders.api.max-requests-per-second} requests on this instance get 429 (0 = no rate limit).
 * A rejected request changes nothing. Runs after authentication, so strangers cannot use up the rate.
 */
@Component
public class RequestLimits extends OncePerRequestFilter {

    private final ObjectMapper mapper;
    private final long maxBytes;
    private final RequestRate rate;

    public RequestLimits(ObjectMapper mapper, ReminderProperties properties) {
        this.mapper = mapper;
        this.maxBytes = properties.api().maxRequestSize().toBytes();
        this.rate = new RequestRate(properties.api().maxRequestsPerSecond());
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!rate.tryAcquire()) {
            response.setHeader("Retry-After", "1");
            reject(response, 429, "too_many_requests", "more than " + rate.perSecond()
                    + " requests per second on this instance (reminders.api.max-requests-per-second); retry later");
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            reject(response, 413, "request_too_large", tooLarge());
            return;
        }
        if (declared < 0 && request.getHeader("Transfer-Encoding") != null) {
            // chunked: no length up front, so read at most the limit and hand the route what was read
            byte[] body = request.getInputStream().readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE));
            if (body.length > maxBytes) {
                reject(response, 413, "request_too_large", tooLarge());
                return;
            }
            request = new BufferedBody(request, body);
        }
        chain.doFilter(request, response);
    }

    private String tooLarge() {
        return "the request body is larger than " + maxBytes + " bytes (reminders.api.max-request-size)";
    }

    private void reject(HttpServletResponse response, int status, String error, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        mapper.writeValue(response.getOutputStream(), new ApiReplies.ApiError(error, null, message));
    }

    /** A request whose body has already been read into memory. */
    private static final class BufferedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            InputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    try {
                        return in.available() == 0;
                    } catch (IOException e) {
                        return true;
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("blocking reads only");
                }
            };
        }
    }
}
