package fr.sas.fhir.publishers;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.WriteRule;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Extension;

/**
 * What the profile cannot say of a publisher's endpoint (rule {@code SAS-endpoint}, 422 naming the element): its
 * address is an absolute FHIR base (https; http only on the hosts of {@code sas.publishers.plain-http-hosts}), with
 * neither query nor fragment; its time budget is a positive duration within {@code max-time-budget}; its client
 * certificate is one the key store holds, and an https endpoint names one when {@code require-client-certificate}.
 */
@Interceptor(order = WriteRule.BUSINESS)
public class EndpointRules extends WriteRule {

	static final String RULE = "SAS-endpoint";

	private final FhirContext fhirContext;
	private final PublishersProperties properties;
	private final ClientCertificates certificates;

	public EndpointRules(FhirContext fhirContext, PublishersProperties properties, ClientCertificates certificates) {
		this.fhirContext = fhirContext;
		this.properties = properties;
		this.certificates = certificates;
	}

	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Endpoint endpoint)) {
			return;
		}
		RuleViolations violations = new RuleViolations();
		URI address = address(endpoint.getAddress(), violations);
		Extension budget = endpoint.getExtensionByUrl(PublisherEndpoint.TIME_BUDGET);
		if (budget != null) {
			var duration = PublisherEndpoint.duration(budget);
			if (duration.isEmpty()) {
				violations.add("Endpoint.extension:timeBudget", RULE,
						"the time budget must be a positive duration in ms, s, min or h (UCUM), with no comparator");
			} else if (duration.get().compareTo(properties.getMaxTimeBudget()) > 0) {
				violations.add("Endpoint.extension:timeBudget", RULE, "the time budget " + duration.get().toMillis()
						+ " ms is over sas.publishers.max-time-budget (" + properties.getMaxTimeBudget().toMillis() + " ms)");
			}
		}
		Extension certificate = endpoint.getExtensionByUrl(PublisherEndpoint.CLIENT_CERTIFICATE);
		String alias = certificate == null || certificate.getValue() == null ? null : certificate.getValue().primitiveValue();
		if (alias != null && !alias.isBlank() && !certificates.has(alias)) {
			violations.add("Endpoint.extension:clientCertificate", RULE, "no client certificate '" + alias
					+ "' in the key store of sas.publishers.key-store");
		}
		if ((alias == null || alias.isBlank()) && address != null && "https".equals(address.getScheme())
				&& properties.isRequireClientCertificate()) {
			violations.add("Endpoint.extension:clientCertificate", RULE, "an https endpoint is called with mutual TLS: name "
					+ "the client certificate to present (sas.publishers.require-client-certificate)");
		}
		violations.throwIfAny(fhirContext);
	}

	private URI address(String value, RuleViolations violations) {
		if (value == null || value.isBlank()) {
			violations.add("Endpoint.address", RULE, "the endpoint's FHIR base URL is required");
			return null;
		}
		URI uri;
		try {
			uri = new URI(value.trim());
		} catch (URISyntaxException e) {
			violations.add("Endpoint.address", RULE, "'" + value + "' is not a URL: " + e.getReason());
			return null;
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
			violations.add("Endpoint.address", RULE, "'" + value + "' is not an absolute http(s) URL with a host");
			return null;
		}
		if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
			violations.add("Endpoint.address", RULE, "'" + value + "' is a FHIR base: no query, no fragment");
		}
		if (scheme.equals("http") && properties.getPlainHttpHosts().stream().noneMatch(h -> h.equalsIgnoreCase(uri.getHost()))) {
			violations.add("Endpoint.address", RULE, "'" + value + "': publishers are called over https (plain http only on "
					+ String.join(", ", properties.getPlainHttpHosts()) + ", sas.publishers.plain-http-hosts)");
		}
		return uri;
	}
}
