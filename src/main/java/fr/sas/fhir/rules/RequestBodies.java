package fr.sas.fhir.rules;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** The body of a request, read before HAPI picks its method (the contents stay available to HAPI). */
final class RequestBodies {

	private RequestBodies() {}

	/** The body as a resource of the given type, or null when it is not one or does not parse (HAPI answers 400). */
	static <T extends IBaseResource> T parse(FhirContext fhirContext, RequestDetails request, Class<T> type) {
		try {
			EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
			IBaseResource resource = (encoding == null ? EncodingEnum.JSON : encoding).newParser(fhirContext)
					.parseResource(new String(request.loadRequestContents(), StandardCharsets.UTF_8));
			return type.isInstance(resource) ? type.cast(resource) : null;
		} catch (RuntimeException unparsable) {
			return null;
		}
	}
}
