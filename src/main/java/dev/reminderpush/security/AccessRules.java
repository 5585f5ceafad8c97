package dev.reminderpush.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may call what. Profile {@code production}: health (with its probes) is open; push clients ({@code /push/**})
 * bring a signed token instead of an account; writing reminders and broadcasts needs
 * an account with role PRODUCER; reading them PRODUCER, READER or OPERATOR unless
 * {@code reminders.security.reads=open}; dead letters, every other actuator endpoint, Hawtio and Jolokia
 * need OPERATOR. Callers authenticate with HTTP Basic: account name and one of its API keys
 * ({@link ApiKeyAuthentication}). Without that profile (local mode, tests) everything is open.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AccessProperties.class)
public class AccessRules {

    private static final String REALM = "reminder-push";

    /** Also keeps Spring Boot from creating its default user with a generated password. */
    @Bean
    ApiKeyAuthentication apiKeyAuthentication(AccessProperties access) {
        return new ApiKeyAuthentication(access.accounts());
    }

    @Bean
    @Profile("production")
    SecurityFilterChain productionAccess(HttpSecurity http, AccessProperties access) throws Exception {
        if (access.accounts().isEmpty()) {
            throw new IllegalStateException("Profile production needs at least one account in reminders.security.accounts,"
                    + " e.g. REMINDERS_SECURITY_ACCOUNTS_0_NAME=ops, REMINDERS_SECURITY_ACCOUNTS_0_KEYS={sha256}<hex>,"
                    + " REMINDERS_SECURITY_ACCOUNTS_0_ROLES=operator (README, Security)");
        }
        String producer = Role.PRODUCER.name();
        String operator = Role.OPERATOR.name();
        return http
                .csrf(csrf -> csrf.disable()) // a JSON API and Jolokia: no browser form sessions to protect
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(requests -> {
                    requests.requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll();
                    requests.requestMatchers(HttpMethod.GET, "/api-docs").permitAll(); // the contract is no secret
                    // push clients prove who they are with a signed token (push.PushClients), not an account
                    requests.requestMatchers("/push/**").permitAll();
                    if (access.reads() == AccessProperties.Reads.OPEN) {
                        requests.requestMatchers(HttpMethod.GET, "/api/reminders/**", "/api/broadcasts/**").permitAll();
                    } else {
                        requests.requestMatchers(HttpMethod.GET, "/api/reminders/**", "/api/broadcasts/**")
                                .hasAnyRole(producer, Role.READER.name(), operator);
                    }
                    requests.requestMatchers("/api/reminders/**", "/api/broadcasts/**").hasRole(producer)
                            .anyRequest().hasRole(operator);
                })
                .httpBasic(basic -> basic.realmName(REALM).authenticationEntryPoint((request, response, e) -> {
                    response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
                    reply(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
                            "HTTP Basic with an account name and one of its API keys is required");
                }))
                .exceptionHandling(errors -> errors.accessDeniedHandler((request, response, e) ->
                        reply(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", "this account's roles do not allow this request")))
                .build();
    }

    @Bean
    @Profile("!production")
    SecurityFilterChain openAccess(HttpSecurity http) throws Exception {
        return http
                .csrf(csrf -> csrf.disable())
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .build();
    }

    private static void reply(HttpServletResponse response, int status, String error, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}");
    }
}
