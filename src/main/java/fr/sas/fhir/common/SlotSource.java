package fr.sas.fhir.common;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;

/**
 * Where bookable slots come from, for the features that assemble them (the contextual search): the store's free
 * slots through the slot searches' path and search-side rules (free, never ended, a CPTS slot only within the
 * CPTS window). The aggregator mode will add the slots fetched from publishers' own endpoints as a second source.
 */
public interface SlotSource {

	/** A slot a regulator may be offered now, found through {@code owner} (a schedule's actor, or a CPTS service). */
	record OfferedSlot(String owner, String scheduleId, Instant start, Slot slot) {}

	/**
	 * The offered slots of the schedules whose actor is one of {@code actors} ("PractitionerRole/x", "Location/y"),
	 * starting within [from, to], by start.
	 */
	List<OfferedSlot> byScheduleActor(Collection<String> actors, Instant from, Instant to);

	/** The offered CPTS slots whose serviceType references one of {@code services} ("HealthcareService/z"), by start. */
	List<OfferedSlot> byService(Collection<String> services, Instant from, Instant to);

	/** The current version of stored resources, by "Type/id"; a reference to nothing stored is left out. */
	Map<String, Resource> read(Collection<String> references);
}
