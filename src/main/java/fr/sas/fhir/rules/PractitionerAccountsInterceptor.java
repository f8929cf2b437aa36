package fr.sas.fhir.rules;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.util.UrlUtil;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Practitioner;
import org.springframework.stereotype.Component;

/**
 * Two kinds of Practitioner share identifiers: regulator accounts (INT_R02, {@code FrPractitionerRegul}, written
 * by the SAS platform) and the cards of practitioners whose slots a publisher exposes
 * ({@code FrPractitionerAgregateur}); a doctor can be both, with the same RPPS (the guide's
 * {@code ExamplePractitionerRegul2} and {@code ExamplePractitioner3}). A conditional update
 * {@code PUT Practitioner?identifier=...} therefore only matches resources of the profile its body claims.
 * For regulator accounts it also matches by every identifier of the body, so that attaching a national
 * identifier to an account known by its SAS technical identifier updates that account instead of creating one.
 */
@Component
@Interceptor
public class PractitionerAccountsInterceptor {

	static final String REGULATOR = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul";

	private final FhirContext fhirContext;

	public PractitionerAccountsInterceptor(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void matchWithinTheClaimedProfile(RequestDetails request) {
		if (request.getRequestType() != RequestTypeEnum.PUT || !"Practitioner".equals(request.getResourceName())
				|| request.getId() != null || request.getParameters().isEmpty()) {
			return;
		}
		Practitioner practitioner = RequestBodies.parse(fhirContext, request, Practitioner.class);
		if (practitioner == null) {
			return;
		}
		Set<String> profiles = practitioner.getMeta().getProfile().stream().map(CanonicalType::getValue)
				.collect(Collectors.toCollection(LinkedHashSet::new));
		if (profiles.isEmpty()) {
			return; // profile validation refuses it
		}
		StringBuilder url = new StringBuilder("Practitioner?");
		for (Map.Entry<String, String[]> parameter : request.getParameters().entrySet()) {
			if (parameter.getKey().startsWith("_format") || parameter.getKey().equals("_pretty")) {
				continue;
			}
			for (String value : parameter.getValue()) {
				String values = value;
				if (parameter.getKey().equals("identifier") && profiles.contains(REGULATOR)) {
					Set<String> identifiers = new LinkedHashSet<>();
					identifiers.add(value);
					for (Identifier id : practitioner.getIdentifier()) {
						if (id.hasSystem() && id.hasValue()) {
							identifiers.add(id.getSystem() + "|" + id.getValue());
						}
					}
					values = String.join(",", identifiers);
				}
				url.append(UrlUtil.escapeUrlParam(parameter.getKey())).append('=')
						.append(escapeList(values)).append('&');
			}
		}
		url.append("_profile=").append(escapeList(String.join(",", profiles)));
		request.setFixedConditionalUrl(url.toString());
	}

	/** Escapes each value of a comma-separated OR list, keeping the commas. */
	private static String escapeList(String values) {
		return java.util.Arrays.stream(values.split(",")).map(UrlUtil::escapeUrlParam).collect(Collectors.joining(","));
	}

}
