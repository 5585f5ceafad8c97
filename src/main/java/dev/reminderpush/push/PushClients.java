package dev.reminderpush.push;

import dev.reminderpush.ReminderProperties;
import dev.reminderpush.observability.PushMetrics;
import dev.reminderpush.store.ReminderIds;
import dev.reminderpush.store.StreamId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;

/**
 * Who a connecting client is, where it resumes, and whether this instance takes it. In profile production only a
 * signed token ({@code token}, {@link PushTokens}) says who the client is; elsewhere (local mode, tests) the query
 * parameter {@code userId} does too. Checked before the WebSocket upgrade or the SSE stream starts, so a refusal
 * is a plain HTTP answer with a JSON body: 400 (a bad parameter), 401 (no valid identity), 503 (instance full).
 */
@Component
public class PushClients {

    /** A client admitted: its user, where its replay starts (null: the oldest message), and a reserved slot. */
    record Admitted(String userId, StreamId resumeAfter) {}

    private static final Logger LOG = LoggerFactory.getLogger(PushClients.class);
    private static final int MIN_SECRET_BYTES = 32;

    private final boolean production;
    private final PushTokens tokens;
    private final PushConnections connections;
    private final PushMetrics metrics;
    private final Clock clock;

    public PushClients(Environment environment, ReminderProperties properties, PushConnections connections, PushMetrics metrics,
            Clock clock) {
        this.production = environment.acceptsProfiles(Profiles.of("production"));
        String secret = properties.push().tokenSecret();
        boolean usable = secret != null && secret.getBytes(StandardCharsets.UTF_8).length >= MIN_SECRET_BYTES;
        this.tokens = usable ? new PushTokens(secret) : null;
        this.connections = connections;
        this.metrics = metrics;
        this.clock = clock;
        if (production && !usable) {
            LOG.warn("reminders.push.token-secret is not set (or shorter than {} bytes): in profile production every push "
                    + "client is refused with 401 until it is (README \"Real-time push\")", MIN_SECRET_BYTES);
        }
    }

    /**
     * Admits a client or throws {@link PushRefusal}. {@code resume}: the query parameter, else the SSE
     * {@code Last-Event-ID} header. A slot taken here is given back by the connection's close, or by
     * {@link PushConnections#release()} if the connection never opens.
     */
    Admitted admit(String userIdParameter, String token, String resume) {
        try {
            String userId = identify(userIdParameter, token);
            StreamId resumeAfter = null;
            if (resume != null && !resume.isEmpty()) {
                try {
                    resumeAfter = StreamId.parse(resume);
                } catch (IllegalArgumentException e) {
                    throw new PushRefusal(400, "invalid_request", "resume", "resume must be the id of a message received, "
                            + "<digits>-<digits>, was \"" + resume + "\"");
                }
            }
            if (!connections.reserve()) {
                throw new PushRefusal(503, "too_many_connections", null, "this instance holds its most connections "
                        + "(reminders.push.max-connections); connect to another instance or retry later");
            }
            return new Admitted(userId, resumeAfter);
        } catch (PushRefusal refusal) {
            metrics.refused(refusal.reason());
            throw refusal;
        }
    }

    /** The client's user (for a request that opens no connection), or a {@link PushRefusal}. */
    String identifyOnly(String userIdParameter, String token) {
        try {
            return identify(userIdParameter, token);
        } catch (PushRefusal refusal) {
            metrics.refused(refusal.reason());
            throw refusal;
        }
    }

    private String identify(String userIdParameter, String token) {
        if (token != null && !token.isEmpty()) {
            if (tokens == null) {
                throw new PushRefusal(401, "unauthorized", "token", "this instance cannot check tokens: "
                        + "reminders.push.token-secret is not set");
            }
            String userId = tokens.verify(token, clock.instant()).orElseThrow(() ->
                    new PushRefusal(401, "unauthorized", "token", "the token is not valid (signature, format or expiry)"));
            if (!ReminderIds.isValidUserId(userId)) {
                throw new PushRefusal(400, "invalid_request", "token", "the token's user id must be " + ReminderIds.USER_ID_RULE);
            }
            return userId;
        }
        if (production) {
            throw new PushRefusal(401, "unauthorized", "token", "a signed token (query parameter token) is required");
        }
        if (userIdParameter == null || userIdParameter.isEmpty()) {
            throw new PushRefusal(401, "unauthorized", "userId", "query parameter userId (or token) is required");
        }
        if (!ReminderIds.isValidUserId(userIdParameter)) {
            throw new PushRefusal(400, "invalid_request", "userId", "userId must be " + ReminderIds.USER_ID_RULE);
        }
        return userIdParameter;
    }
}
