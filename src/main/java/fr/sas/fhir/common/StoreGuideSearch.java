package fr.sas.fhir.common;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.List;

/**
 * The store's answer to one of the guide's slot searches, whole (no paging): for features that merge it with other
 * answers (the aggregator, when the store is one of its sources).
 */
public interface StoreGuideSearch {

	/** A resource of the answer, in match or include mode. */
	record Entry(SlotSource.Stored resource, boolean match) {}

	List<Entry> answer(GuideSearchRequest search, RequestDetails request);
}
