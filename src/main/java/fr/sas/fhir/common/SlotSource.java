package fr.sas.fhir.common;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;

/**
 * Where bookable slots come from, for the features that assemble them (the contextual search): the store's free
 * slots through the slot searches' path and search-side rules (free, never ended, a CPTS slot only within the
 * CPTS window). The aggregator mode will add the slots fetched from publishers' own endpoints as a second source.
 * Slots and resources come encoded, with what filters read of a slot ({@link SlotFacets}): an answer parses only
 * what it has to show, and may write the encoded JSON as it is.
 */
public interface SlotSource {

	/**
	 * What a filter or an answer reads of a slot without parsing it: the consultation types (v3-ActCode codes of
	 * {@code serviceType}), the slot types ({@code meta.security} of TRE_R314), the appointment type codes, the
	 * specialty labels (texts and displays, space-separated), and the HealthcareServices its {@code serviceType}
	 * extension references ("HealthcareService/x").
	 */
	record SlotFacets(Set<String> consultationTypes, Set<String> slotTypes, Set<String> appointmentTypes,
			String specialtyLabels, List<String> serviceReferences) {}

	/** A stored resource's current version as HAPI's encoder writes it, parsed on demand. */
	final class Stored {
		private final String type;
		private final String id;
		private final byte[] json;
		private final Function<byte[], Resource> parser;
		private Resource parsed;

		public Stored(String type, String id, byte[] json, Function<byte[], Resource> parser) {
			this.type = type;
			this.id = id;
			this.json = json;
			this.parser = parser;
		}

		public String type() {
			return type;
		}

		public String id() {
			return id;
		}

		/** "Type/id". */
		public String reference() {
			return type + "/" + id;
		}

		/** The encoded JSON (compact), as stored in the cache of encoded resources: never modify it. */
		public byte[] json() {
			return json;
		}

		/** A fresh parse of the JSON the first time, then that same object (an answer may change it). */
		public synchronized Resource resource() {
			if (parsed == null) {
				parsed = parser.apply(json);
			}
			return parsed;
		}
	}

	/** A slot a regulator may be offered now, found through {@code owner} (a schedule's actor, or a CPTS service). */
	record OfferedSlot(String owner, String scheduleId, Instant start, SlotFacets facets, Stored stored) {

		public String id() {
			return stored.id();
		}

		public Slot slot() {
			return (Slot) stored.resource();
		}
	}

	/**
	 * The offered slots of the schedules whose actor is one of {@code actors} ("PractitionerRole/x", "Location/y"),
	 * starting within [from, to], by start.
	 */
	List<OfferedSlot> byScheduleActor(Collection<String> actors, Instant from, Instant to);

	/** The offered CPTS slots whose serviceType references one of {@code services} ("HealthcareService/z"), by start. */
	List<OfferedSlot> byService(Collection<String> services, Instant from, Instant to);

	/** The current version of stored resources, by "Type/id"; a reference to nothing stored is left out. */
	Map<String, Stored> read(Collection<String> references);
}
