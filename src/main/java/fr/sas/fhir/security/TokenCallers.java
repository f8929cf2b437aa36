package fr.sas.fhir.security;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * People behind bearer tokens (OpenID Connect; Pro Santé Connect for health professionals): the token's signature
 * is checked against the issuer's key set, then its issuer, audience and validity period (with a small clock
 * skew, on the server's {@link Clock}); the person is the national-identifier claim, the role comes from the
 * role claim's values.
 */
final class TokenCallers implements Converter<Jwt, AbstractAuthenticationToken> {

	private final SecurityProperties.Oidc oidc;

	TokenCallers(SecurityProperties.Oidc oidc) {
		this.oidc = oidc;
	}

	JwtDecoder decoder(Clock clock) {
		if (oidc.getJwkSetUri().isBlank()) {
			throw new IllegalStateException("sas.security.oidc.jwk-set-uri is required with sas.security.oidc.issuer");
		}
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(oidc.getJwkSetUri()).build();
		JwtTimestampValidator validity = new JwtTimestampValidator(oidc.getClockSkew());
		validity.setClock(clock);
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>(List.of(validity, new JwtIssuerValidator(oidc.getIssuer())));
		if (!oidc.getAudiences().isEmpty()) {
			validators.add(jwt -> jwt.getAudience() != null && jwt.getAudience().stream().anyMatch(oidc.getAudiences()::contains)
					? OAuth2TokenValidatorResult.success()
					: OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token",
							"the token's audience is not one of " + oidc.getAudiences(), null)));
		}
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
		return decoder;
	}

	@Override
	public AbstractAuthenticationToken convert(Jwt jwt) {
		String person = jwt.getClaimAsString(oidc.getNationalIdClaim());
		if (person == null || person.isBlank()) {
			throw new InvalidBearerTokenException("the token has no " + oidc.getNationalIdClaim() + " claim");
		}
		Collection<String> roles = values(jwt.getClaims().get(oidc.getRoleClaim()));
		Role role;
		if (roles.stream().anyMatch(oidc.getRegulatorRoles()::contains)) {
			role = Role.REGULATOR;
		} else if (roles.stream().anyMatch(oidc.getAnalystRoles()::contains)) {
			role = Role.ANALYST;
		} else {
			throw new InvalidBearerTokenException("the token's " + oidc.getRoleClaim() + " grants no role on this server");
		}
		return new CallerAuthentication(new Caller(person, role, Caller.Via.TOKEN), jwt);
	}

	private static Collection<String> values(Object claim) {
		if (claim instanceof Collection<?> many) {
			return many.stream().map(String::valueOf).toList();
		}
		return claim == null ? List.of() : List.of(String.valueOf(claim));
	}
}
