package fr.sas.fhir.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A Spring Security authentication carrying the {@link Caller} this server recognised. */
final class CallerAuthentication extends AbstractAuthenticationToken {

	private final Caller caller;
	private final Object credentials;

	CallerAuthentication(Caller caller, Object credentials) {
		super(List.of(new SimpleGrantedAuthority(caller.role().authority())));
		this.caller = caller;
		this.credentials = credentials;
		setAuthenticated(true);
	}

	Caller caller() {
		return caller;
	}

	@Override
	public Object getCredentials() {
		return credentials;
	}

	@Override
	public Object getPrincipal() {
		return caller.id();
	}

	@Override
	public String getName() {
		return caller.id();
	}
}
