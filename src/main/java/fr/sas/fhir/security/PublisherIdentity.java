package fr.sas.fhir.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The publisher (éditeur) behind a request: the authenticated caller when it acts as a publisher (its client
 * certificate, or the header of the proxy that terminated its TLS, found in the client registry; in the local
 * trial, the publisher the header names). Any other caller (the SAS platform, an LRM, a regulator, an operator)
 * names none.
 */
@Component
public class PublisherIdentity {

	/** The publisher writing, if the caller is one. */
	public Optional<String> of(RequestDetails request) {
		return Caller.current().filter(c -> c.role() == Role.PUBLISHER).map(Caller::id);
	}
}
