package fr.sas.fhir.security;

import jakarta.servlet.DispatcherType;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Authentication in front of FHIR (Spring Security): client certificates and a trusted proxy's header mapped
 * through the {@link ClientRegistry}, bearer tokens through the resource server ({@link TokenCallers}). Anonymous
 * callers reach the CapabilityStatement and health only; what each authenticated caller may do is the
 * {@link RoleMatrix}'s. With nothing configured and bound to the loopback address, the local trial: served
 * without authentication, said at start-up and in a response header; bound to any other address, the server
 * refuses to start.
 */
@Configuration
public class SecurityConfig {

	static final String LOCAL_TRIAL_HEADER = "X-Sas-Security";
	static final String LOCAL_TRIAL_NOTICE = "local-trial; no authentication";
	private static final Logger LOG = LoggerFactory.getLogger(SecurityConfig.class);

	/** The audit trail's table joins HAPI's persistence unit: a write and its record commit together. */
	@Bean
	public static org.springframework.orm.jpa.persistenceunit.PersistenceUnitPostProcessor auditRecordEntity() {
		return unit -> unit.addManagedClassName(AuditRecord.class.getName());
	}

	/** Client certificates checked against the authority's revocation list, when one is configured. */
	@Bean
	@org.springframework.boot.autoconfigure.condition.ConditionalOnExpression("'${sas.security.crl-file:}' != ''")
	CertificateRevocation certificateRevocation(SecurityProperties properties) {
		return new CertificateRevocation(properties);
	}

	/**
	 * No observation around every security filter and authorization unless asked for
	 * ({@code sas.security.observations}): they are tracing detail, and cost 6 % of a guide search's CPU. The
	 * request's own metric ({@code http.server.requests}) stays.
	 */
	@Bean
	@org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "sas.security", name = "observations",
			havingValue = "false", matchIfMissing = true)
	org.springframework.security.config.observation.SecurityObservationSettings noSecurityObservations() {
		return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
	}

	@Bean
	ClientRegistry clientRegistry(SecurityProperties properties) {
		return new ClientRegistry(properties.getClients());
	}

	/** Whether this server runs the local trial; refuses to start exposed without authentication. */
	@Bean
	SecurityMode securityMode(SecurityProperties properties, ServerProperties server, ClientRegistry registry) {
		boolean certificates = server.getSsl() != null && server.getSsl().isEnabled()
				&& server.getSsl().getTrustStore() != null && !server.getSsl().getTrustStore().isBlank();
		boolean configured = certificates || properties.getOidc().isEnabled() || !registry.isEmpty();
		if (configured) {
			return new SecurityMode(false);
		}
		InetAddress address = server.getAddress();
		if (address == null || !address.isLoopbackAddress()) {
			throw new IllegalStateException("Refusing to start: bound to " + (address == null ? "every address" : address)
					+ " with no authentication configured. Configure a trust store of client certificates"
					+ " (server.ssl.trust-store, server.ssl.client-auth) or a token issuer (sas.security.oidc.issuer) and"
					+ " the registered clients (sas.security.clients), or bind to the loopback address (server.address=127.0.0.1)"
					+ " for a local trial; see the README's production settings.");
		}
		if (!properties.isLocalTrial()) {
			LOG.warn("No authentication configured and sas.security.local-trial=false: every request but metadata and health is refused");
			return new SecurityMode(false);
		}
		LOG.warn("LOCAL TRIAL: serving {} WITHOUT AUTHENTICATION (no trust store, no token issuer, no registered client)."
				+ " Every response carries '{}: {}'. Not for any data but test data.", address, LOCAL_TRIAL_HEADER, LOCAL_TRIAL_NOTICE);
		return new SecurityMode(true);
	}

	record SecurityMode(boolean localTrial) {}

	/**
	 * Spring Security's firewall, with every method let through: TRACE and unknown methods are refused by the
	 * servlet layer with an OperationOutcome (405, 501) rather than an empty 400; its other checks stay.
	 */
	@Bean
	WebSecurityCustomizer firewall(org.springframework.context.ApplicationEventPublisher events) {
		StrictHttpFirewall firewall = new StrictHttpFirewall();
		firewall.setUnsafeAllowAnyHttpMethod(true);
		return web -> web.httpFirewall(firewall).requestRejectedHandler(new SecurityRefusals(events));
	}

	@Bean
	SecurityFilterChain fhirSecurity(HttpSecurity http, SecurityProperties properties, ClientRegistry registry,
			SecurityMode mode, Clock clock, org.springframework.context.ApplicationEventPublisher events) throws Exception {
		SecurityRefusals refusals = new SecurityRefusals(events);
		http.csrf(AbstractHttpConfigurer::disable)
				.formLogin(AbstractHttpConfigurer::disable)
				.httpBasic(AbstractHttpConfigurer::disable)
				.logout(AbstractHttpConfigurer::disable)
				.requestCache(AbstractHttpConfigurer::disable)
				.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.exceptionHandling(e -> e.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
				.addFilterBefore(new ClientAuthenticationFilter(registry, properties.getClientHeader(),
						Set.copyOf(properties.getTrustedProxies()), mode.localTrial(), refusals), AnonymousAuthenticationFilter.class)
				// The local trial is not limited: a trial load (bench/load.py) would be throttled for nothing.
				.addFilterAfter(new RateLimits(mode.localTrial() ? java.util.Map.of() : properties.getRateLimits(),
						mode.localTrial() ? new SecurityProperties.Limit() : properties.getAnonymousRateLimit(), clock, refusals),
						AnonymousAuthenticationFilter.class)
				.authorizeHttpRequests(a -> a
						.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.FORWARD).permitAll()
						.requestMatchers("/fhir/metadata", "/actuator/health", "/actuator/health/**").permitAll()
						// The meters (monitoring): administrators and analysts (a Prometheus scraper is given an analyst's identity).
						.requestMatchers("/actuator/prometheus").hasAnyAuthority(Role.ADMIN.authority(), Role.ANALYST.authority(),
								Role.LOCAL_TRIAL.authority())
						// analytics: the dashboard page and its script library hold no data (the FHIR calls are authorized)
						.requestMatchers("/dashboard", "/dashboard/**", "/webjars/**").permitAll()
						.anyRequest().authenticated());
		if (properties.getOidc().isEnabled()) {
			TokenCallers tokens = new TokenCallers(properties.getOidc());
			http.oauth2ResourceServer(o -> o.authenticationEntryPoint(refusals).accessDeniedHandler(refusals)
					.jwt(j -> j.decoder(tokens.decoder(clock)).jwtAuthenticationConverter(tokens)));
		}
		return http.build();
	}
}
