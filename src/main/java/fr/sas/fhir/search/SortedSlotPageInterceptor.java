package fr.sas.fhir.search;

import ca.uhn.fhir.context.api.BundleInclusionRule;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.api.BundleLinks;
import ca.uhn.fhir.rest.api.IVersionSpecificBundleFactory;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import fr.sas.fhir.common.EncodedAnswers;
import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.PageLinks;
import fr.sas.fhir.common.SasProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.InstantType;
import org.springframework.stereotype.Component;

/**
 * Answers the analyst's sorted page of free slots ({@link SortedSlotPageRequest}) from {@link SortedFreeSlots}
 * (switch {@code sas.search.sorted-free-slots}) and leaves every other request to HAPI. The request keeps HAPI's
 * pipeline, as the guide's searches do ({@link GuideSearchInterceptor}): the pre-handled hooks (authorization,
 * rate limits, audit) run first, so whoever HAPI would refuse is refused the same way; the slots go through the
 * pre-show hooks and the Bundle through the outgoing-response hooks, then HAPI's serializer or the compact encoded
 * path writes it. Paging is stateless: {@code next} is the same search with {@code _offset}.
 */
@Component
@Interceptor
public class SortedSlotPageInterceptor {

	private final SortedFreeSlots slots;
	private final SearchAnswerWriter writer;
	private final SasProperties properties;
	private final Clock clock;

	SortedSlotPageInterceptor(SortedFreeSlots slots, SearchAnswerWriter writer, SasProperties properties, Clock clock) {
		this.slots = slots;
		this.writer = writer;
		this.properties = properties;
		this.clock = clock;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean answerSortedSlotPage(RequestDetails request, HttpServletRequest httpRequest,
			HttpServletResponse httpResponse) throws IOException {
		Optional<SortedSlotPageRequest> search = recognised(request);
		if (search.isEmpty()) {
			return true;
		}
		// refusals of the pre-handled hooks (401, 403, 429) propagate as they do from HAPI's own call of them
		EncodedAnswers.preHandled(request);
		int pageSize = search.get().count() == null ? properties.getFhir().getDefaultPageSize()
				: Math.min(search.get().count(), properties.getFhir().getMaxPageSize());
		Optional<SortedFreeSlots.Page> page = slots.page(search.get(), pageSize, request);
		if (page.isEmpty()) {
			return true; // the free-slot index is off: HAPI's search
		}
		answer(search.get(), page.get(), pageSize, request, httpRequest, httpResponse);
		return false;
	}

	private Optional<SortedSlotPageRequest> recognised(RequestDetails request) {
		SasProperties.Search settings = properties.getSearch();
		if (!settings.isSortedFreeSlots() || !GuideSearchRequest.isSearch(request)
				|| (settings.isPlainPathHeader() && "hapi".equalsIgnoreCase(request.getHeader(GuideSearchInterceptor.PATH_HEADER)))) {
			return Optional.empty();
		}
		return SortedSlotPageRequest.read(request.getResourceName(), request.getParameters());
	}

	private void answer(SortedSlotPageRequest search, SortedFreeSlots.Page page, int pageSize, RequestDetails request,
			HttpServletRequest httpRequest, HttpServletResponse httpResponse) throws IOException {
		List<SearchAnswerWriter.Entry> entries = new ArrayList<>(page.slots().size());
		for (EncodedResources.Encoded slot : page.slots()) {
			entries.add(new SearchAnswerWriter.Entry(slot, true));
		}
		writer.write(entries, resources -> bundle(search, page, resources, pageSize, request), request, httpRequest,
				httpResponse);
	}

	private Bundle bundle(SortedSlotPageRequest search, SortedFreeSlots.Page page, List<IBaseResource> resources,
			int pageSize, RequestDetails request) {
		String serverBase = request.getFhirServerBase();
		boolean pretty = RestfulServerUtils.prettyPrintResponse(request.getServer(), request);
		BundleLinks links = new BundleLinks(serverBase, Set.of(), pretty, BundleTypeEnum.SEARCHSET);
		String self = RestfulServerUtils.createLinkSelf(serverBase, request);
		links.setSelf(self);
		if ((long) search.offset() + pageSize < page.total()) {
			links.setNext(PageLinks.withOffset(self, search.offset() + pageSize, pageSize));
		}
		if (search.offset() > 0) {
			links.setPrev(PageLinks.withOffset(self, Math.max(0, search.offset() - pageSize), pageSize));
		}
		IVersionSpecificBundleFactory factory = request.getFhirContext().newBundleFactory();
		factory.addRootPropertiesToBundle(UUID.randomUUID().toString(), links, (int) Math.min(Integer.MAX_VALUE, page.total()),
				new InstantType(Date.from(clock.instant())));
		factory.addResourcesToBundle(resources, BundleTypeEnum.SEARCHSET, serverBase, BundleInclusionRule.BASED_ON_INCLUDES,
				Set.of());
		return (Bundle) factory.getResourceBundle();
	}
}
