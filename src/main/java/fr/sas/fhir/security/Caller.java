package fr.sas.fhir.security;

import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Who is behind a request, once authenticated: a client id of the registry (certificate or proxy header), or a
 * person's national identifier (token), with the role it acts in and how it was recognised.
 */
public record Caller(String id, Role role, Via via) {

	public enum Via { CERTIFICATE, PROXY_HEADER, TOKEN, LOCAL_TRIAL }

	/** The caller of the request being served on this thread, if it was authenticated. */
	public static Optional<Caller> current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication instanceof CallerAuthentication caller) {
			return Optional.of(caller.caller());
		}
		if (authentication != null && authentication.getDetails() instanceof Caller caller) {
			return Optional.of(caller);
		}
		return Optional.empty();
	}
}
