package fr.sas.fhir.contextual;

import fr.sas.fhir.common.EncodedAnswers;
import fr.sas.fhir.common.SlotSource;
import fr.sas.fhir.common.SlotSource.OfferedSlot;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;

/**
 * The contextual search (INT_L01): from the regulator's call to a ranked page of cards with their bookable slots.
 * Cards come from the card index (within the radius of the patient's place, of the specialty), slots from the
 * {@link SlotSource} (free, in the window, the search-side rules applied) and the filters. The treating doctor's
 * cards come first (flagged when they have no slot); then, around a street address or coordinates, the nearest
 * cards first; around an area (commune, postal code, département), a neutral draw ({@link NeutralOrder}); ties in
 * distance are broken by the same draw. Within a card, slots by start.
 */
class ContextualSearch {

	static final String RANK_EXTENSION = "https://sas-fhir-server.example/fhir/StructureDefinition/contextual-rank";
	static final String BUNDLE_PROFILE = "http://sas.fr/fhir/StructureDefinition/BundleAgregateur";

	private final CardIndex cards;
	private final SlotSource slots;
	private final PlaceResolver places;
	private final SpecialtyCodes specialties;
	private final Clock clock;
	private final ZoneId zone;

	ContextualSearch(CardIndex cards, SlotSource slots, PlaceResolver places, SpecialtyCodes specialties, Clock clock, ZoneId zone) {
		this.cards = cards;
		this.slots = slots;
		this.places = places;
		this.specialties = specialties;
		this.clock = clock;
		this.zone = zone;
	}

	/** The slot source's part of one search (what it fetched stays readable until closed). */
	SlotSource.Search begin() {
		return slots.begin();
	}

	/** One ranked card and its slots that pass the filters. */
	record RankedCard(CardHit card, List<OfferedSlot> slots, String reason, Double distanceKm) {}

	/**
	 * @param exhausted whether every card around the place was examined (then {@code ranked} is the whole answer
	 *     and its slots can be counted); otherwise ranking stopped once the requested page and one more card were
	 *     found
	 */
	record Result(List<RankedCard> ranked, SearchPlace place, List<String> notes, boolean exhausted) {

		int totalSlots() {
			return ranked.stream().mapToInt(r -> r.slots().size()).sum();
		}
	}

	/**
	 * Cards examined together: their slots are read in one go. The first batch is the cards the page still needs
	 * and a few more (most cards have a slot in the window), each next batch twice as many, up to {@code MAX_BATCH}
	 * (the national platform reads 25 at a time): the slots of cards no page shows are seldom read. Where each read is
	 * a round of calls to publishers, the first batch is at least the source's {@link SlotSource#cardsPerRead()}.
	 */
	static final int FIRST_BATCH_MARGIN = 3;
	static final int MAX_BATCH = 50;

	Result rank(ContextualQuery query) {
		for (String code : query.specialtyCodes()) {
			if (!specialties.isKnown(code)) {
				throw ContextualRefusal.badParameter("'" + code + "' is not a TRE_R38 specialty this server knows", "specialty");
			}
		}
		List<String> notes = new ArrayList<>();
		SearchPlace place = places.resolve(query.place(), notes::add);
		List<CardHit> doctor = new ArrayList<>();
		if (!query.treatingDoctor().isEmpty()) {
			doctor.addAll(cards.ofPractitioner(query.treatingDoctor(), place.point()));
			if (doctor.isEmpty()) {
				notes.add("the treating doctor " + query.treatingDoctor().get(0) + " has no card on this server");
			}
		}
		Set<String> doctorIds = new LinkedHashSet<>();
		doctor.forEach(c -> doctorIds.add(c.id()));
		List<CardHit> around = new ArrayList<>(cards.within(place.point(), place.radiusKm(), query.sources(),
				query.specialtyCodes()));
		around.removeIf(c -> doctorIds.contains(c.id()));
		String text = query.specialtyText() == null ? null : CommuneDirectory.key(query.specialtyText());

		NeutralOrder draw = new NeutralOrder(seed(query, place));
		// Each card drawn once (not once per comparison).
		Map<String, Long> draws = new java.util.HashMap<>(Math.max(16, (around.size() + doctor.size()) * 2));
		around.forEach(c -> draws.put(c.id(), draw.draw(c.id())));
		doctor.forEach(c -> draws.put(c.id(), draw.draw(c.id())));
		Comparator<CardHit> neutral = Comparator.comparing(c -> draws.get(c.id()), Long::compareUnsigned);
		Comparator<CardHit> order = place.precision().ordersByDistance()
				? Comparator.<CardHit>comparingDouble(CardHit::distanceKm).thenComparing(neutral)
				: neutral;
		around.sort(order);
		doctor.sort(neutral);

		List<RankedCard> ranked = new ArrayList<>();
		// A slot is shown once, with the first card that offers it (a practitioner's CPTS slot is also its CPTS's).
		Set<String> shown = new java.util.HashSet<>();
		String reason = place.precision().ordersByDistance() ? "distance" : "neutral-draw";
		int needed = query.offset() + query.count() + 1;
		int size = Math.max(Math.max(1, needed - doctor.size()) + FIRST_BATCH_MARGIN, slots.cardsPerRead());
		// The treating doctor's cards are read with the first batch: one round of calls when slots come from publishers.
		List<CardHit> firstBatch = around.subList(0, Math.min(around.size(), size));
		List<CardHit> doctorAndFirst = new ArrayList<>(doctor);
		doctorAndFirst.addAll(firstBatch);
		Map<String, List<OfferedSlot>> firstSlots = slotsOf(doctorAndFirst, query);
		Map<String, ContextualCard> doctorCards = text == null ? Map.of() : cards.load(doctorIds);
		for (CardHit card : doctor) {
			ranked.add(new RankedCard(card, unshown(matching(firstSlots.getOrDefault(card.id(), List.of()),
					doctorCards.get(card.id()), text), shown), "treating-doctor", distance(card, place)));
		}
		int next = 0;
		while (next < around.size() && ranked.size() < needed) {
			List<CardHit> batch = around.subList(next, Math.min(around.size(), next + size));
			size = Math.min(MAX_BATCH, size * 2);
			Map<String, List<OfferedSlot>> byCard = next == 0 ? firstSlots : slotsOf(batch, query);
			next += batch.size();
			Map<String, ContextualCard> loaded = text == null ? Map.of()
					: cards.load(batch.stream().map(CardHit::id).toList());
			for (CardHit card : batch) {
				List<OfferedSlot> offered = unshown(matching(byCard.getOrDefault(card.id(), List.of()), loaded.get(card.id()), text),
						shown);
				if (!offered.isEmpty()) {
					ranked.add(new RankedCard(card, offered, reason, distance(card, place)));
				}
			}
		}
		return new Result(ranked, place, notes, next >= around.size());
	}

	/** The slots of the cards, found through the card's schedules (individual, SOS) or its service (CPTS). */
	private Map<String, List<OfferedSlot>> slotsOf(List<CardHit> batch, ContextualQuery query) {
		List<String> actors = new ArrayList<>();
		List<String> services = new ArrayList<>();
		for (CardHit card : batch) {
			(card.kind() == ContextualCard.Kind.CPTS ? services : actors).add(card.id());
		}
		Map<String, List<OfferedSlot>> byCard = new LinkedHashMap<>();
		List<OfferedSlot> found = new ArrayList<>(slots.byScheduleActor(actors, query.start(), query.end()));
		found.addAll(slots.byService(services, query.start(), query.end()));
		for (OfferedSlot slot : found) {
			if (slot.owner() != null && passes(slot.facets(), query)) {
				byCard.computeIfAbsent(slot.owner(), k -> new ArrayList<>()).add(slot);
			}
		}
		byCard.values().forEach(list -> list.sort(Comparator.comparing(OfferedSlot::start).thenComparing(OfferedSlot::id)));
		return byCard;
	}

	private static List<OfferedSlot> unshown(List<OfferedSlot> offered, Set<String> shown) {
		return offered.stream().filter(slot -> shown.add(slot.id())).toList();
	}

	/** A free-text specialty matches the card's specialty labels, or else each slot's own (codes: the index's). */
	private static List<OfferedSlot> matching(List<OfferedSlot> offered, ContextualCard card, String text) {
		if (text == null || (card != null && CommuneDirectory.key(card.getSpecialtyText()).contains(text))) {
			return offered;
		}
		return offered.stream().filter(s -> CommuneDirectory.key(s.facets().specialtyLabels()).contains(text)).toList();
	}

	/** The filters, on what the slot source read of each slot (nothing is parsed to be filtered). */
	private static boolean passes(SlotSource.SlotFacets slot, ContextualQuery query) {
		return (query.consultationTypes().isEmpty() || slot.consultationTypes().stream().anyMatch(query.consultationTypes()::contains))
				&& (query.slotTypes().isEmpty() || slot.slotTypes().stream().anyMatch(query.slotTypes()::contains))
				&& (query.appointmentTypes().isEmpty() || slot.appointmentTypes().stream().anyMatch(query.appointmentTypes()::contains));
	}

	private static Double distance(CardHit card, SearchPlace place) {
		if (!place.precision().ordersByDistance() || Double.isNaN(card.distanceKm())) {
			return null;
		}
		return BigDecimal.valueOf(card.distanceKm()).setScale(2, RoundingMode.HALF_UP).doubleValue();
	}

	/**
	 * What makes two searches the same search: the place (as understood), the specialty, the filters, the window
	 * when the caller gave it, and the day: repeated within the day, the order is the same; the next day it is
	 * drawn again. The origin and the treating doctor do not change the draw of the others.
	 */
	private String seed(ContextualQuery query, SearchPlace place) {
		return String.join("|", String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.1f", place.point().latitude(),
						place.point().longitude(), place.radiusKm()),
				String.join(",", new TreeSet<>(query.specialtyCodes())), String.valueOf(query.specialtyText()),
				String.join(",", new TreeSet<>(query.consultationTypes())), String.join(",", new TreeSet<>(query.slotTypes())),
				String.join(",", new TreeSet<>(query.appointmentTypes())), query.sources().toString(),
				query.windowGiven() ? query.start() + "/" + query.end() : "", LocalDate.now(clock.withZone(zone)).toString());
	}

	/**
	 * One entry of the answer: a stored resource (written from its encoded JSON, or parsed for HAPI's
	 * serializer) or a built one (the outcome), and its {@code search} element, encoded once per card.
	 */
	record PageEntry(String fullUrl, SlotSource.Stored stored, Resource built, Bundle.BundleEntrySearchComponent search,
			byte[] searchJson) {

		Resource resource() {
			return stored != null ? stored.resource() : built;
		}
	}

	/** The answer's page: the Bundle without its entries, and the entries. */
	record Page(Bundle envelope, List<PageEntry> entries) {}

	/** The answer's page: the slots of the page's cards (match), and what they reference (include). */
	Page page(Result result, ContextualQuery query, String base, String self) {
		List<RankedCard> ranked = result.ranked();
		int from = Math.min(query.offset(), ranked.size());
		int to = Math.min(from + query.count(), ranked.size());
		List<RankedCard> page = ranked.subList(from, to);

		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		bundle.getMeta().addProfile(BUNDLE_PROFILE);
		if (result.exhausted()) {
			bundle.setTotal(result.totalSlots()); // the answer's every slot; unknown while ranking stopped early
		}
		bundle.addLink().setRelation("self").setUrl(self);
		if (to < ranked.size()) {
			bundle.addLink().setRelation("next").setUrl(withOffset(self, to));
		}
		if (from > 0) {
			bundle.addLink().setRelation("previous").setUrl(withOffset(self, Math.max(0, from - query.count())));
		}

		Set<String> includes = new LinkedHashSet<>();
		List<PageEntry> matches = new ArrayList<>();
		for (int i = 0; i < page.size(); i++) {
			RankedCard card = page.get(i);
			int rank = from + i + 1;
			BigDecimal score = BigDecimal.valueOf(1.0 - (rank - 1.0) / Math.max(1, ranked.size())).setScale(4, RoundingMode.HALF_UP);
			Bundle.BundleEntrySearchComponent search = new Bundle.BundleEntrySearchComponent()
					.setMode(Bundle.SearchEntryMode.MATCH).setScore(score);
			search.addExtension(rankExtension(card, rank, base));
			byte[] searchJson = searchJson(search);
			for (OfferedSlot slot : card.slots()) {
				matches.add(new PageEntry(slot.stored().fullUrl(base), slot.stored(), null, search, searchJson));
				includes.add(slot.scheduleReference());
				slot.facets().serviceReferences().forEach(service -> includes.add(slot.stored().qualify(service)));
			}
			includes.add(card.card().id());
			if (card.slots().isEmpty()) {
				// The treating doctor without a slot in the window: shown, so the regulator can call.
				Bundle.BundleEntrySearchComponent include = new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.INCLUDE);
				include.addExtension(rankExtension(card, rank, base));
				matches.add(new PageEntry(base + "/" + card.card().id(), null, null, include, searchJson(include)));
			}
		}
		Map<String, SlotSource.Stored> read = new LinkedHashMap<>(slots.read(includes));
		Set<String> second = new LinkedHashSet<>();
		for (SlotSource.Stored stored : read.values()) {
			second.addAll(references(stored));
		}
		second.removeAll(read.keySet());
		read.putAll(slots.read(second));
		// The practitioners of roles reached through schedules (second round), read together.
		Set<String> third = new LinkedHashSet<>();
		for (SlotSource.Stored stored : read.values()) {
			if (stored.type().equals("PractitionerRole")) {
				third.addAll(references(stored));
			}
		}
		third.removeAll(read.keySet());
		read.putAll(slots.read(third));

		List<PageEntry> entries = new ArrayList<>();
		Set<String> shown = new LinkedHashSet<>();
		for (PageEntry entry : matches) {
			PageEntry complete = entry;
			if (entry.stored() == null) {
				SlotSource.Stored card = read.get(entry.fullUrl().substring(base.length() + 1));
				if (card == null) {
					continue;
				}
				complete = new PageEntry(entry.fullUrl(), card, null, entry.search(), entry.searchJson());
			}
			shown.add(complete.fullUrl());
			entries.add(complete);
		}
		Bundle.BundleEntrySearchComponent include = new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.INCLUDE);
		for (Map.Entry<String, SlotSource.Stored> r : read.entrySet()) {
			String fullUrl = r.getValue().fullUrl(base);
			if (shown.add(fullUrl)) {
				entries.add(new PageEntry(fullUrl, r.getValue(), null, include, EncodedAnswers.INCLUDE));
			}
		}
		return new Page(bundle, entries);
	}

	/**
	 * What each included version references, kept while its encoded JSON is: the slot source hands out the one byte
	 * array it keeps per stored version, so an identity-keyed entry is that version's and goes with it (not parsed
	 * again for every answer that includes it).
	 */
	private final com.github.benmanes.caffeine.cache.Cache<byte[], List<String>> referencesOf =
			com.github.benmanes.caffeine.cache.Caffeine.newBuilder().weakKeys().build();

	/** What an included resource references that the answer includes too (as {@link SlotSource.Stored#reference()}). */
	private List<String> references(SlotSource.Stored stored) {
		return referencesOf.get(stored.json(), json -> referencesIn(stored).stream().map(stored::qualify).toList());
	}

	private static List<String> referencesIn(SlotSource.Stored stored) {
		List<String> out = new ArrayList<>();
		Resource r = stored.resource();
		if (r instanceof Schedule schedule) {
			schedule.getActor().forEach(a -> out.add(relative(a)));
		} else if (r instanceof PractitionerRole role && role.hasPractitioner()) {
			out.add(relative(role.getPractitioner()));
		} else if (r instanceof HealthcareService service && service.hasProvidedBy()) {
			out.add(relative(service.getProvidedBy()));
		} else if (r instanceof Location location && location.hasManagingOrganization()) {
			out.add(relative(location.getManagingOrganization()));
		}
		return out;
	}

	/** The {@code search} element as HAPI's encoder writes it (encoded once per card, shared by its slots). */
	private static byte[] searchJson(Bundle.BundleEntrySearchComponent search) {
		Bundle holder = new Bundle();
		holder.addEntry().setSearch(search);
		String json = ca.uhn.fhir.context.FhirContext.forR4Cached().newJsonParser().encodeResourceToString(holder);
		String start = "\"entry\":[{\"search\":";
		int at = json.indexOf(start);
		return EncodedAnswers.bytes(json.substring(at + start.length(), json.length() - "}]}".length()));
	}

	private static Map<String, Resource> resources(Map<String, SlotSource.Stored> stored) {
		Map<String, Resource> out = new LinkedHashMap<>();
		stored.forEach((reference, resource) -> out.put(reference, resource.resource()));
		return out;
	}

	private static Extension rankExtension(RankedCard card, int rank, String base) {
		Extension why = new Extension(RANK_EXTENSION);
		why.addExtension("rank", new PositiveIntType(rank));
		why.addExtension("reason", new CodeType(card.reason()));
		if (card.distanceKm() != null) {
			why.addExtension("distance", new DecimalType(card.distanceKm()));
		}
		// The card's full URL (a uri: a Reference outside an entry's resource would be written relative, with no
		// fullUrl to resolve it against).
		why.addExtension("card", new org.hl7.fhir.r4.model.UriType(base + "/" + card.card().id()));
		if (card.slots().isEmpty()) {
			why.addExtension("available", new BooleanType(false));
		}
		return why;
	}

	private static String withOffset(String self, int offset) {
		String url = self.replaceAll("([?&])_offset=[^&]*&?", "$1").replaceAll("[?&]$", "");
		return url + (url.contains("?") ? "&" : "?") + "_offset=" + offset;
	}

	private static String relative(Reference reference) {
		return reference.getReferenceElement().toUnqualifiedVersionless().getValue();
	}

}
