package fr.sas.fhir.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Recognises a client: the certificate Tomcat verified during the TLS handshake (it chains to the trust store),
 * or the header a TLS-terminating proxy sets, accepted only from a trusted proxy address; either is looked up in
 * the {@link ClientRegistry}, and a client that is not registered is refused here (403) before any FHIR
 * processing. In the local trial (no authentication configured, loopback only), a request is the trial's caller,
 * or the publisher the header names.
 */
final class ClientAuthenticationFilter extends OncePerRequestFilter {

	static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";
	/** Client ids are codes: they end up in a tag and in search URLs. */
	private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	private final ClientRegistry registry;
	private final String header;
	private final Set<String> trustedProxies;
	private final boolean localTrial;
	private final SecurityRefusals refusals;

	ClientAuthenticationFilter(ClientRegistry registry, String header, Set<String> trustedProxies, boolean localTrial,
			SecurityRefusals refusals) {
		this.refusals = refusals;
		this.registry = registry;
		this.header = header;
		this.trustedProxies = trustedProxies;
		this.localTrial = localTrial;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<Refusal> refusal = recognise(request);
		if (refusal.isPresent()) {
			refusals.refuse(request, response, refusal.get().status(), refusal.get().rule(), refusal.get().message());
			return;
		}
		if (localTrial) {
			response.setHeader(SecurityConfig.LOCAL_TRIAL_HEADER, SecurityConfig.LOCAL_TRIAL_NOTICE);
		}
		chain.doFilter(request, response);
	}

	private record Refusal(int status, String rule, String message) {

		static Optional<Refusal> forbidden(String message) {
			return Optional.of(new Refusal(403, SecurityRefusals.CLIENT, message));
		}
	}

	/** Sets the caller when the request names a client; the reason when it names one this server refuses. */
	private Optional<Refusal> recognise(HttpServletRequest request) {
		if (request.getAttribute(CERTIFICATES) instanceof X509Certificate[] chain && chain.length > 0) {
			ClientRegistry.Subject subject = ClientRegistry.Subject.of(chain[0]);
			Optional<SecurityProperties.Client> client = registry.bySubject(subject);
			if (client.isEmpty()) {
				return Refusal.forbidden("the client certificate " + subject + " is not a registered client of this server");
			}
			authenticate(client.get(), Caller.Via.CERTIFICATE, chain[0]);
			return Optional.empty();
		}
		String named = header.isBlank() ? null : request.getHeader(header);
		if (named != null && !named.isBlank()) {
			if (!trustedProxies.contains(request.getRemoteAddr())) {
				return Refusal.forbidden("header " + header + " is accepted only from a trusted proxy (sas.security.trusted-proxies),"
						+ " not from " + request.getRemoteAddr());
			}
			String value = named.trim();
			Optional<SecurityProperties.Client> client = value.contains("=")
					? registry.bySubject(ClientRegistry.Subject.parse(value)) : registry.byId(value);
			if (client.isPresent()) {
				authenticate(client.get(), Caller.Via.PROXY_HEADER, value);
				return Optional.empty();
			}
			if (localTrial) {
				// The local trial has no registry: the header names a publisher, as a trial publisher would.
				if (!CLIENT_ID.matcher(value).matches()) {
					return Optional.of(new Refusal(400, "SAS-publisher-identity", "header " + header + " must be a publisher code"
							+ " of 1 to 64 letters, digits, '.', '_' or '-' (got '" + value + "')"));
				}
				set(new Caller(value, Role.PUBLISHER, Caller.Via.PROXY_HEADER), value);
				return Optional.empty();
			}
			return Refusal.forbidden("header " + header + " names " + value + ", which is not a registered client of this server");
		}
		if (localTrial) {
			set(new Caller("local-trial", Role.LOCAL_TRIAL, Caller.Via.LOCAL_TRIAL), null);
		}
		return Optional.empty();
	}

	private static void authenticate(SecurityProperties.Client client, Caller.Via via, Object credentials) {
		set(new Caller(client.getId(), client.getRole(), via), credentials);
	}

	private static void set(Caller caller, Object credentials) {
		SecurityContextHolder.getContext().setAuthentication(new CallerAuthentication(caller, credentials));
	}
}
