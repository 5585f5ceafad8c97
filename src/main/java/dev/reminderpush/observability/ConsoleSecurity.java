package dev.reminderpush.observability;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may see the operator consoles. Profile {@code production}: every actuator endpoint except health
 * (and its liveness/readiness groups), Hawtio and Jolokia need HTTP Basic with the operator account
 * {@code spring.security.user.name} / {@code spring.security.user.password} (set them from the environment:
 * SPRING_SECURITY_USER_NAME / SPRING_SECURITY_USER_PASSWORD; rotate by changing them and restarting).
 * Without that profile (local mode, tests) everything is open. The reminder API itself is not locked here.
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleSecurity {

    @Bean
    @Profile("production")
    SecurityFilterChain productionConsoles(HttpSecurity http) throws Exception {
        return http
                .csrf(csrf -> csrf.disable()) // a JSON API and Jolokia: no browser form sessions to protect
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/actuator/**").authenticated()
                        .anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                .build();
    }

    @Bean
    @Profile("!production")
    SecurityFilterChain openConsoles(HttpSecurity http) throws Exception {
        return http
                .csrf(csrf -> csrf.disable())
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .build();
    }
}
