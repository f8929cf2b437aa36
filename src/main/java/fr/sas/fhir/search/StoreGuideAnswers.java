package fr.sas.fhir.search;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.SlotSource;
import fr.sas.fhir.common.StoreGuideSearch;
import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/** The dedicated path's answer to a guide search, every match of it, for the aggregator to merge. */
@Component
class StoreGuideAnswers implements StoreGuideSearch {

	private final GuideSearchExecutor executor;
	private final EncodedResources encodedResources;
	private final SasProperties properties;

	StoreGuideAnswers(GuideSearchExecutor executor, EncodedResources encodedResources, SasProperties properties) {
		this.executor = executor;
		this.encodedResources = encodedResources;
		this.properties = properties;
	}

	@Override
	public List<Entry> answer(GuideSearchRequest search, RequestDetails request) {
		GuideSearchRequest whole = new GuideSearchRequest(search.shape(), search.identifiers(), search.start(),
				search.includes(), search.revincludeSlots(), null, 0);
		return executor.execute(whole, request, properties.getFhir().getMaxPageSize()).entries().stream()
				.map(e -> new Entry(new SlotSource.Stored(e.resource().type(), e.resource().id(), e.resource().json(),
						json -> (Resource) encodedResources.parse(json)), e.match()))
				.toList();
	}
}
