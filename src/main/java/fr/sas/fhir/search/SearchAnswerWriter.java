package fr.sas.fhir.search;

import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.interceptor.ServerInterceptorUtil;
import fr.sas.fhir.common.EncodedAnswers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.stereotype.Component;

/**
 * Writes a search answer made by one of the dedicated paths (the guide's searches, the analyst's sorted page) the way
 * HAPI would: compact JSON from the entries' encoded form when no hook inspects outgoing resources, otherwise the
 * resources parsed again, through the pre-show hooks, the Bundle through the outgoing-response hooks and HAPI's
 * serializer (format, pretty print, gzip).
 */
@Component
class SearchAnswerWriter {

	/** One entry of the answer: a stored resource's encoded form, a match or an include. */
	record Entry(EncodedResources.Encoded resource, boolean match) {}

	private final EncodedResources encodedResources;
	private final IInterceptorBroadcaster storageInterceptors;

	SearchAnswerWriter(EncodedResources encodedResources, IInterceptorBroadcaster storageInterceptors) {
		this.encodedResources = encodedResources;
		this.storageInterceptors = storageInterceptors;
	}

	/**
	 * Writes the answer; {@code bundle} makes the searchset Bundle (links, total) around the resources given, an
	 * empty list for the envelope of the compact path, whose entries are spliced in from their encoded form.
	 */
	void write(List<Entry> entries, Function<List<IBaseResource>, Bundle> bundle, RequestDetails request,
			HttpServletRequest httpRequest, HttpServletResponse httpResponse) throws IOException {
		RestfulServerUtils.ResponseEncoding encoding = RestfulServerUtils.determineResponseEncodingWithDefault(request);
		if (EncodedAnswers.compactJson(request, storageInterceptors, encoding)) {
			Bundle envelope = bundle.apply(List.of());
			// Only hooks that leave search answers alone are registered here (headers, such as the warnings'): they
			// see the envelope, the entries are written from their encoded form.
			if (!EncodedAnswers.outgoingResponse(request, new ResponseDetails(200, envelope), httpRequest, httpResponse)) {
				return;
			}
			String base = request.getFhirServerBase().endsWith("/") ? request.getFhirServerBase() : request.getFhirServerBase() + "/";
			List<EncodedAnswers.Entry> encoded = new ArrayList<>(entries.size());
			for (Entry entry : entries) {
				encoded.add(new EncodedAnswers.Entry(base + entry.resource().type() + "/" + entry.resource().id(),
						entry.resource().json(), entry.match() ? EncodedAnswers.MATCH : EncodedAnswers.INCLUDE));
			}
			EncodedAnswers.write(request.getFhirContext(), envelope, encoded, encoding.getResourceContentType(),
					request.isRespondGzip(), httpResponse);
			return;
		}
		List<IBaseResource> resources = new ArrayList<>(entries.size());
		for (Entry entry : entries) {
			IBaseResource resource = encodedResources.parse(entry.resource());
			ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(resource,
					entry.match() ? BundleEntrySearchModeEnum.MATCH : BundleEntrySearchModeEnum.INCLUDE);
			resources.add(resource);
		}
		List<IBaseResource> shown = ServerInterceptorUtil.fireStoragePreshowResource(resources, request,
				request.getInterceptorBroadcaster());
		ResponseDetails response = new ResponseDetails(200, bundle.apply(shown));
		if (!EncodedAnswers.outgoingResponse(request, response, httpRequest, httpResponse)) {
			return;
		}
		RestfulServerUtils.streamResponseAsResource(request.getServer(), response.getResponseResource(),
				RestfulServerUtils.determineSummaryMode(request), response.getResponseCode(), false,
				request.isRespondGzip(), request);
	}
}
