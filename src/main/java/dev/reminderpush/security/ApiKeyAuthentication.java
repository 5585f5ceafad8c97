package dev.reminderpush.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Checks HTTP Basic credentials: the user name is an account, the password one of its API keys. Keys are
 * compared as SHA-256 digests in constant time. A slow hash (bcrypt) is not used on purpose: API keys are
 * long random strings, so a fast digest is safe, and bcrypt would cost tens of milliseconds of CPU on
 * every request (HTTP Basic authenticates each one).
 */
public final class ApiKeyAuthentication implements AuthenticationProvider {

    private static final String SHA256_PREFIX = "{sha256}";

    private final Map<String, AccessProperties.Account> accounts;

    ApiKeyAuthentication(List<AccessProperties.Account> accounts) {
        this.accounts = accounts.stream().collect(Collectors.toMap(AccessProperties.Account::name, Function.identity()));
        accounts.forEach(account -> account.keys().forEach(ApiKeyAuthentication::digestOf));
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String name = authentication.getName();
        Object credentials = authentication.getCredentials();
        AccessProperties.Account account = accounts.get(name);
        byte[] presented = sha256(credentials == null ? "" : credentials.toString());
        boolean matches = false;
        if (account != null) {
            for (String key : account.keys()) {
                matches |= MessageDigest.isEqual(presented, digestOf(key));
            }
        }
        if (!matches) {
            throw new BadCredentialsException("unknown account or wrong API key");
        }
        return UsernamePasswordAuthenticationToken.authenticated(name, null, account.roles().stream()
                .map(role -> new SimpleGrantedAuthority("ROLE_" + role.name())).toList());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** The digest a configured key stands for: {@code {sha256}<hex>} as given, anything else hashed. */
    static byte[] digestOf(String configuredKey) {
        if (configuredKey.startsWith(SHA256_PREFIX)) {
            String hex = configuredKey.substring(SHA256_PREFIX.length()).toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("reminders.security.accounts[*].keys: {sha256} must be followed by 64 hex digits");
            }
            return HexFormat.of().parseHex(hex);
        }
        return sha256(configuredKey);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
