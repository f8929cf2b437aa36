package fr.sas.fhir.aggregator;

import fr.sas.fhir.publishers.CheckedAnswer;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.UseCase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;

/**
 * What one publisher's answer held once checked: the resources kept (by their absolute URL at the publisher, each
 * with {@code meta.source} = the endpoint), the free slots kept with whom they are for, and the check's figures.
 *
 * @param matches the references of the answer's match entries kept, in the publisher's order (Slots; Schedules for
 *     the SOS shape)
 * @param found the identifiers asked (as sent) that kept slots belong to: the endpoint answers for them
 */
record PulledAnswer(PublisherEndpoint endpoint, UseCase useCase, CheckedAnswer check, Map<String, Kept> resources,
		List<String> matches, List<PulledSlot> slots, Set<String> found) {

	/** A resource kept, and its JSON as it goes into an answer. */
	record Kept(String reference, Resource resource, byte[] json) {

		String type() {
			return resource.fhirType();
		}
	}

	/**
	 * A free slot kept.
	 *
	 * @param identifiers the asked identifiers (as sent) of its practitioner, or of its SOS Médecins association
	 * @param place the publisher's PractitionerRole (individual, CPTS) or SOS Location (its reference) the slot is at
	 * @param serviceOrganizations the national identifiers ({@code system|value}) of the organization of the CPTS
	 *     service its serviceType references (a CPTS slot), none otherwise
	 * @param needs the kept resources an answer showing the slot includes with it (itself, its schedule, their actors,
	 *     its CPTS service and organization)
	 */
	record PulledSlot(String reference, Slot slot, String schedule, Set<String> identifiers, String place, Instant start,
			Instant end, Set<String> serviceOrganizations, Set<String> needs) {

		boolean cpts() {
			return !serviceOrganizations.isEmpty() || fr.sas.fhir.common.SasCodes.isCpts(slot);
		}
	}
}
