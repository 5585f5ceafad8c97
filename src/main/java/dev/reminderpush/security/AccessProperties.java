package dev.reminderpush.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Accounts that may call the bundle in the production profile, bound from {@code reminders.security.*}.
 * Set them from the environment, for example {@code REMINDERS_SECURITY_ACCOUNTS_0_NAME=shop},
 * {@code REMINDERS_SECURITY_ACCOUNTS_0_KEYS={sha256}9f86...}, {@code REMINDERS_SECURITY_ACCOUNTS_0_ROLES=producer}.
 *
 * @param accounts profile production: who may call what (README "Security"); from the environment, never a file
 * @param reads    open = GET /api/reminders/** needs no account in the profile production
 */
@Validated
@ConfigurationProperties(prefix = "reminders.security")
public record AccessProperties(
        @Valid @DefaultValue List<Account> accounts,
        @DefaultValue("authenticated") Reads reads) {

    /**
     * One caller. {@code keys} are API keys, each either {@code {sha256}<64 hex digits>} (recommended) or the
     * key itself; several keys at once let a caller rotate without downtime.
     *
     * @param name  the caller's name, in logs
     * @param keys  its API keys
     * @param roles what it may do: producer, reader, operator
     */
    public record Account(
            @Pattern(regexp = "[A-Za-z0-9._@-]{1,64}") String name,
            @NotEmpty List<String> keys,
            @NotEmpty Set<Role> roles) {

        @Override
        public String toString() { // never print the keys
            return "Account[name=" + name + ", keys=" + keys.size() + ", roles=" + roles + "]";
        }
    }

    /** Whether reading a reminder needs an account with PRODUCER, READER or OPERATOR. */
    public enum Reads { OPEN, AUTHENTICATED }
}
