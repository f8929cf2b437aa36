package fr.sas.fhir.config;

import fr.sas.fhir.common.ServedResourceTypes;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.stereotype.Component;

/**
 * Transactions and batches may only touch the served types: the type endpoints of other types do not exist
 * (HAPI answers 404), and this guard refuses a Bundle entry of another type before anything is processed.
 */
@Component
@Interceptor
public class ServedResourceTypesGuard {

	private final FhirContext fhirContext;

	public ServedResourceTypesGuard(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void rejectUnservedEntries(RequestDetails request, RestOperationTypeEnum operation) {
		if (operation != RestOperationTypeEnum.TRANSACTION || !(request.getResource() instanceof Bundle bundle)) {
			return;
		}
		List<String> problems = new ArrayList<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			Bundle.BundleEntryComponent entry = bundle.getEntry().get(i);
			String type = entry.getResource() != null
					? fhirContext.getResourceType(entry.getResource())
					: typeOfUrl(entry.getRequest().getUrl());
			if (type != null && !ServedResourceTypes.ALL.contains(type)) {
				problems.add("Bundle.entry[" + i + "]: resource type " + type + " is not served by this server");
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidRequestException(String.join("; ", problems) + " (served types: "
					+ String.join(", ", ServedResourceTypes.ALL) + ")");
		}
	}

	private static String typeOfUrl(String url) {
		if (url == null || url.isBlank()) {
			return null;
		}
		String path = url.startsWith("/") ? url.substring(1) : url;
		int end = path.length();
		for (char c : new char[] {'/', '?', '$'}) {
			int i = path.indexOf(c);
			if (i >= 0) {
				end = Math.min(end, i);
			}
		}
		String type = path.substring(0, end);
		return type.isEmpty() ? null : type;
	}
}
