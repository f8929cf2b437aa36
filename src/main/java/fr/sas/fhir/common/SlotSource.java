package fr.sas.fhir.common;

import java.time.Instant;
import java.util.ArrayList;
import java.util.TreeSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;

/**
 * Where bookable slots come from, for the features that assemble them (the contextual search): the store's free
 * slots through the slot searches' path and search-side rules (free, never ended, a CPTS slot only within the
 * CPTS window), and in aggregator mode the slots fetched from publishers' own endpoints. Slots and resources come
 * encoded, with what filters read of a slot ({@link SlotFacets}): an answer parses only what it has to show, and
 * may write the encoded JSON as it is. A resource fetched from a publisher keeps the publisher's base: its
 * references are relative to it, and its {@link Stored#reference()} is absolute.
 */
public interface SlotSource {

	/**
	 * What a filter or an answer reads of a slot without parsing it: the consultation types (v3-ActCode codes of
	 * {@code serviceType}), the slot types ({@code meta.security} of TRE_R314), the appointment type codes, the
	 * specialty labels (texts and displays, space-separated), and the HealthcareServices its {@code serviceType}
	 * extension references ("HealthcareService/x").
	 */
	record SlotFacets(Set<String> consultationTypes, Set<String> slotTypes, Set<String> appointmentTypes,
			String specialtyLabels, List<String> serviceReferences) {

		private static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

		/** What filters read of a slot. */
		public static SlotFacets of(Slot slot) {
			Set<String> consultation = new TreeSet<>();
			List<String> services = new ArrayList<>();
			for (CodeableConcept type : slot.getServiceType()) {
				type.getCoding().stream().filter(c -> ACT_CODE.equals(c.getSystem()) && c.hasCode()).forEach(c -> consultation.add(c.getCode()));
				type.getExtensionsByUrl(SasCodes.SLOT_SERVICE_TYPE).forEach(e -> {
					if (e.getValue() instanceof Reference ref && ref.hasReference()) {
						services.add(ref.getReferenceElement().toUnqualifiedVersionless().getValue());
					}
				});
			}
			Set<String> slotTypes = new TreeSet<>();
			slot.getMeta().getSecurity().stream().filter(c -> SasCodes.TYPE_CRENEAU.equals(c.getSystem()) && c.hasCode())
					.forEach(c -> slotTypes.add(c.getCode()));
			Set<String> appointmentTypes = new TreeSet<>();
			slot.getAppointmentType().getCoding().stream().filter(Coding::hasCode).forEach(c -> appointmentTypes.add(c.getCode()));
			StringBuilder labels = new StringBuilder();
			for (CodeableConcept specialty : slot.getSpecialty()) {
				if (specialty.hasText()) {
					labels.append(specialty.getText()).append(' ');
				}
				specialty.getCoding().stream().filter(Coding::hasDisplay).forEach(c -> labels.append(c.getDisplay()).append(' '));
			}
			return new SlotFacets(Set.copyOf(consultation), Set.copyOf(slotTypes), Set.copyOf(appointmentTypes),
					labels.toString().trim(), List.copyOf(services));
		}
	}

	/**
	 * A resource's current version as HAPI's encoder writes it, parsed on demand: a resource of the store, or one a
	 * publisher's endpoint returned (then {@code base} is that endpoint's FHIR base).
	 */
	final class Stored {
		private final String base;
		private final String type;
		private final String id;
		private final byte[] json;
		private final Function<byte[], Resource> parser;
		private Resource parsed;

		public Stored(String type, String id, byte[] json, Function<byte[], Resource> parser) {
			this(null, type, id, json, parser);
		}

		public Stored(String base, String type, String id, byte[] json, Function<byte[], Resource> parser) {
			this.base = base;
			this.type = type;
			this.id = id;
			this.json = json;
			this.parser = parser;
		}

		/** The publisher's FHIR base the resource came from; null for a resource of the store. */
		public String base() {
			return base;
		}

		public String type() {
			return type;
		}

		public String id() {
			return id;
		}

		/** "Type/id" for a resource of the store; the absolute URL of one from a publisher. */
		public String reference() {
			return qualify(type + "/" + id);
		}

		/** A reference found inside this resource, as {@link #reference()} names its target. */
		public String qualify(String relative) {
			return base == null || relative.startsWith("http://") || relative.startsWith("https://") ? relative
					: base + "/" + relative;
		}

		/** The entry's fullUrl in an answer of this server, whose base is {@code serverBase}. */
		public String fullUrl(String serverBase) {
			return base == null ? serverBase + "/" + type + "/" + id : reference();
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

		/** The slot's identity in an answer: its id in the store, its URL when it comes from a publisher. */
		public String id() {
			return stored.base() == null ? stored.id() : stored.reference();
		}

		/** Its schedule, as {@link Stored#reference()} names it. */
		public String scheduleReference() {
			return stored.qualify("Schedule/" + scheduleId);
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

	/**
	 * The current version of resources, by reference ("Type/id" in the store, absolute for a publisher's, as
	 * {@link Stored#reference()}); a reference to nothing known is left out.
	 */
	Map<String, Stored> read(Collection<String> references);

	/**
	 * How many cards a search should read the slots of at once, at least: none for the store, whose reads are cheap
	 * (read what the page needs); where slots are pulled from publishers each read is a round of calls, and a round
	 * that leaves the page short costs a second one: read a full batch of the guide's calls at once.
	 */
	default int cardsPerRead() {
		return 0;
	}

	/**
	 * One search's use of the source, from {@link #begin()} to {@link Search#close()}: what it fetched from
	 * publishers stays readable by {@link #read} until then, and {@link Search#notes()} says what the caller should
	 * know (a publisher that did not answer in time). The store's source has nothing to keep.
	 */
	default Search begin() {
		return Search.NONE;
	}

	interface Search extends AutoCloseable {

		Search NONE = new Search() {};

		/** What the answer should say about where its slots came from (information issues). */
		default List<String> notes() {
			return List.of();
		}

		@Override
		default void close() {}
	}
}
