package fr.sas.fhir.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import fr.sas.fhir.common.SasProperties;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.springframework.stereotype.Component;

/**
 * The publisher (éditeur) behind a request. Publishers authenticate with mutual TLS: the common name of the
 * client certificate this server verified names the publisher; behind a reverse proxy that terminates TLS, the
 * header the proxy sets ({@code sas.security.publisher-header}, off by default, and a proxy must strip it from
 * incoming requests). A request without either (the SAS platform's own flows, an operator) names none.
 */
@Component
public class PublisherIdentity {

	/** Publisher names are codes: they end up in a tag and in search URLs. */
	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
	private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

	private final String header;

	public PublisherIdentity(SasProperties properties) {
		this.header = properties.getSecurity().getPublisherHeader();
	}

	/** The publisher writing, if the request names one; 400 if it names one badly. */
	public Optional<String> of(RequestDetails request) {
		if (!(request instanceof ServletRequestDetails servlet) || servlet.getServletRequest() == null) {
			return Optional.empty();
		}
		if (servlet.getServletRequest().getAttribute(CERTIFICATES) instanceof X509Certificate[] chain
				&& chain.length > 0) {
			return Optional.of(checked(commonName(chain[0]), "the client certificate's common name"));
		}
		if (header.isBlank()) {
			return Optional.empty();
		}
		String named = servlet.getServletRequest().getHeader(header);
		return named == null ? Optional.empty() : Optional.of(checked(named.trim(), "header " + header));
	}

	private static String commonName(X509Certificate certificate) {
		try {
			for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
				if (rdn.getType().equalsIgnoreCase("CN")) {
					return String.valueOf(rdn.getValue());
				}
			}
		} catch (InvalidNameException e) {
			// falls through: a certificate without a usable subject names nobody we accept
		}
		return "";
	}

	private static String checked(String name, String source) {
		if (!NAME.matcher(name).matches()) {
			throw new InvalidRequestException("SAS-publisher-identity: " + source + " must be a publisher code of 1 to "
					+ "64 letters, digits, '.', '_' or '-' (got '" + name + "')");
		}
		return name;
	}
}
