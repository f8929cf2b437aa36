package fr.sas.fhir.aggregator;

import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.SlotSource;
import fr.sas.fhir.publishers.UseCase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The contextual search's slots in aggregator mode. The cards are the directory this server holds (practitioners at
 * their places, SOS Médecins places, CPTS), ranked as ever; their slots come from the store, from the publishers, or
 * both ({@code sas.aggregator.sources}). For a batch of cards the publishers are asked the guide's searches: the
 * individual search (and the CPTS search) for the batch's practitioners by RPPS, the SOS search for its
 * associations by SIRET, side by side, within what remains of the search's budget ({@code contextual-budget}).
 * A slot returned for a practitioner goes to that practitioner's card at the same place (position within 500 m, or
 * same postal code and city), else to its first card of the batch; a CPTS slot to the card of the CPTS whose
 * organization's identifier its service carries (the CPTS slots of the practitioners asked in the same search); an
 * SOS slot to the association's place it is at. A slot several publishers return is offered once, and a slot of the
 * store a publisher returned too ({@link SameSlot}) is offered as the publisher returned it.
 */
class AggregatedSlotSource implements SlotSource {

	private final SlotSource store;
	private final FanOut fanOut;
	private final AggregatorProperties properties;
	private final ThreadLocal<Session> current = new ThreadLocal<>();

	AggregatedSlotSource(SlotSource store, FanOut fanOut, AggregatorProperties properties) {
		this.store = store;
		this.fanOut = fanOut;
		this.properties = properties;
	}

	@Override
	public Search begin() {
		if (!properties.uses(AggregatorProperties.Source.PUBLISHERS)) {
			return store.begin();
		}
		Session session = new Session(System.nanoTime() + properties.getContextualBudget().toNanos());
		current.set(session);
		return session;
	}

	@Override
	public int cardsPerRead() {
		return properties.uses(AggregatorProperties.Source.PUBLISHERS)
				? Math.max(properties.getPractitionersPerCall(), store.cardsPerRead())
				: store.cardsPerRead();
	}

	@Override
	public List<OfferedSlot> byScheduleActor(Collection<String> actors, Instant from, Instant to) {
		Session session = current.get();
		// The publishers first: a slot the store holds too is offered as its publisher returned it (SameSlot).
		List<OfferedSlot> pulled = session != null && !actors.isEmpty() ? session.pull(actors, from, to) : List.of();
		List<OfferedSlot> out = new ArrayList<>();
		if (properties.uses(AggregatorProperties.Source.STORE)) {
			List<OfferedSlot> stored = store.byScheduleActor(actors, from, to);
			out.addAll(session == null ? stored : session.notPulled(stored));
		}
		out.addAll(pulled);
		return out;
	}

	@Override
	public List<OfferedSlot> byService(Collection<String> services, Instant from, Instant to) {
		Session session = current.get();
		List<OfferedSlot> pulled = session != null && !services.isEmpty() ? session.cpts(services, from, to) : List.of();
		List<OfferedSlot> out = new ArrayList<>();
		if (properties.uses(AggregatorProperties.Source.STORE)) {
			List<OfferedSlot> stored = store.byService(services, from, to);
			out.addAll(session == null ? stored : session.notPulledCpts(stored));
		}
		out.addAll(pulled);
		return out;
	}

	@Override
	public Map<String, Stored> read(Collection<String> references) {
		Session session = current.get();
		List<String> local = new ArrayList<>();
		Map<String, Stored> out = new LinkedHashMap<>();
		for (String reference : references) {
			if (reference.startsWith("http://") || reference.startsWith("https://")) {
				if (session != null && session.pulled.containsKey(reference)) {
					out.put(reference, session.pulled.get(reference));
				}
			} else {
				local.add(reference);
			}
		}
		if (!local.isEmpty()) {
			out.putAll(store.read(local));
		}
		return out;
	}

	/** One contextual search's pull: its deadline, what it fetched, what it should say. */
	private final class Session implements Search {
		private final long deadline;
		private final Map<String, Stored> pulled = new LinkedHashMap<>();
		private final SameSlot offered = new SameSlot();
		/** The national identifiers (as asked) of each card's practitioner or association. */
		private final Map<String, Set<String>> cardIdentifiers = new LinkedHashMap<>();
		private final Map<String, List<PulledAnswer.PulledSlot>> cptsByOrganization = new LinkedHashMap<>();
		private final Map<String, Stored> cptsSources = new LinkedHashMap<>();
		private final Set<String> notes = new LinkedHashSet<>();

		Session(long deadline) {
			this.deadline = deadline;
		}

		@Override
		public List<String> notes() {
			return List.copyOf(notes);
		}

		@Override
		public void close() {
			current.remove();
		}

		List<OfferedSlot> pull(Collection<String> actors, Instant from, Instant to) {
			if (System.nanoTime() >= deadline) {
				notes.add("the publishers' budget of this search (" + properties.getContextualBudget().toMillis()
						+ " ms) was spent: later cards were searched without them");
				return List.of();
			}
			Map<String, Stored> cards = store.read(actors);
			Map<String, List<Card>> practitioners = new LinkedHashMap<>();
			Map<String, List<Card>> associations = new LinkedHashMap<>();
			Map<String, Stored> second = store.read(secondHop(cards.values()));
			for (Stored stored : cards.values()) {
				if (stored.resource() instanceof PractitionerRole role && role.hasPractitioner()) {
					Stored practitioner = second.get(relative(role.getPractitioner()));
					if (practitioner != null && practitioner.resource() instanceof Practitioner p) {
						Card card = new Card(stored.reference(), placeOf(role));
						national(p.getIdentifier(), NationalIdentifiers.IDNPS_SYSTEM)
								.forEach(token -> practitioners.computeIfAbsent(token, k -> new ArrayList<>()).add(card));
					}
				} else if (stored.resource() instanceof Location location && location.hasManagingOrganization()) {
					Stored organization = second.get(relative(location.getManagingOrganization()));
					if (organization != null && organization.resource() instanceof Organization o) {
						Card card = new Card(stored.reference(), location);
						national(o.getIdentifier(), NationalIdentifiers.IDNST_SYSTEM)
								.forEach(token -> associations.computeIfAbsent(token, k -> new ArrayList<>()).add(card));
					}
				}
			}
			practitioners.forEach((token, its) -> its.forEach(c -> cardIdentifiers.computeIfAbsent(c.reference(), k -> new LinkedHashSet<>()).add(token)));
			associations.forEach((token, its) -> its.forEach(c -> cardIdentifiers.computeIfAbsent(c.reference(), k -> new LinkedHashSet<>()).add(token)));
			List<FanOut.Pending> calls = new ArrayList<>();
			List<String> rpps = List.copyOf(practitioners.keySet());
			List<String> siret = List.copyOf(associations.keySet());
			if (!rpps.isEmpty()) {
				calls.add(fanOut.start(UseCase.INDIVIDUAL, rpps, from, to, deadline));
				calls.add(fanOut.start(UseCase.CPTS, rpps, from, to, deadline));
			}
			if (!siret.isEmpty()) {
				calls.add(fanOut.start(UseCase.SOS, siret, from, to, deadline));
			}
			List<OfferedSlot> out = new ArrayList<>();
			for (FanOut.Pending call : calls) {
				FanOut.Result result = call.collect();
				result.notes().stream().filter(n -> !n.startsWith("no publisher endpoint")).forEach(notes::add);
				for (PulledAnswer answer : result.answers()) {
					for (PulledAnswer.PulledSlot slot : answer.slots()) {
						if (!offered.first(slot.identifiers(), slot.start(), slot.end())) {
							continue; // shown once, from the first publisher that returned it
						}
						if (slot.cpts() && !slot.serviceOrganizations().isEmpty()) {
							slot.serviceOrganizations().forEach(org -> cptsByOrganization.computeIfAbsent(org, k -> new ArrayList<>()).add(slot));
							keep(answer);
							continue;
						}
						Map<String, List<Card>> owners = answer.useCase() == UseCase.SOS ? associations : practitioners;
						Optional<Card> card = owner(slot, owners, answer);
						if (card.isPresent()) {
							keep(answer);
							out.add(offered(card.get().reference(), slot));
						}
					}
				}
			}
			return out;
		}

		/** The store's slots of cards but those a publisher returned too (same practitioner or association, same times). */
		List<OfferedSlot> notPulled(List<OfferedSlot> stored) {
			List<OfferedSlot> out = new ArrayList<>(stored.size());
			for (OfferedSlot slot : stored) {
				Set<String> owner = cardIdentifiers.getOrDefault(slot.owner(), Set.of());
				// the end is read (the slot parsed) only when a pulled slot of the same owner starts then
				if (owner.isEmpty() || !offered.startSeen(owner, slot.start())
						|| !offered.seen(owner, slot.start(), slot.slot().getEnd().toInstant())) {
					out.add(slot);
				}
			}
			return out;
		}

		/**
		 * The store's CPTS slots but those a publisher returned too: the store's slot is found through its service, so
		 * whose it is comes from its schedule's actors (read only for a slot starting when a pulled one does).
		 */
		List<OfferedSlot> notPulledCpts(List<OfferedSlot> stored) {
			Set<Instant> pulledStarts = new HashSet<>();
			cptsByOrganization.values().forEach(slots -> slots.forEach(s -> pulledStarts.add(s.start())));
			List<OfferedSlot> candidates = stored.stream().filter(s -> pulledStarts.contains(s.start())).toList();
			if (candidates.isEmpty()) {
				return stored;
			}
			Map<String, Stored> schedules = store.read(candidates.stream().map(s -> "Schedule/" + s.scheduleId()).distinct().toList());
			Set<String> actorRefs = new LinkedHashSet<>();
			schedules.values().forEach(s -> ((org.hl7.fhir.r4.model.Schedule) s.resource()).getActor().forEach(a -> actorRefs.add(relative(a))));
			Map<String, Stored> actors = new LinkedHashMap<>(store.read(List.copyOf(actorRefs)));
			actors.putAll(store.read(secondHop(List.copyOf(actors.values()))));
			List<OfferedSlot> out = new ArrayList<>(stored.size());
			for (OfferedSlot slot : stored) {
				Set<String> owner = new LinkedHashSet<>();
				Stored schedule = pulledStarts.contains(slot.start()) ? schedules.get("Schedule/" + slot.scheduleId()) : null;
				if (schedule != null) {
					for (Reference actor : ((org.hl7.fhir.r4.model.Schedule) schedule.resource()).getActor()) {
						Stored target = actors.get(relative(actor));
						if (target != null && target.resource() instanceof PractitionerRole role && role.hasPractitioner()) {
							target = actors.get(relative(role.getPractitioner()));
						}
						if (target != null && target.resource() instanceof Practitioner p) {
							owner.addAll(national(p.getIdentifier(), NationalIdentifiers.IDNPS_SYSTEM));
						}
					}
				}
				if (owner.isEmpty() || !offered.seen(owner, slot.start(), slot.slot().getEnd().toInstant())) {
					out.add(slot);
				}
			}
			return out;
		}

		/** The CPTS slots fetched in this search, for the cards of the CPTS whose organization they name. */
		List<OfferedSlot> cpts(Collection<String> services, Instant from, Instant to) {
			if (cptsByOrganization.isEmpty()) {
				return List.of();
			}
			List<OfferedSlot> out = new ArrayList<>();
			Map<String, Stored> local = store.read(services);
			Map<String, Stored> organizations = store.read(secondHop(local.values()));
			for (Stored stored : local.values()) {
				if (stored.resource() instanceof HealthcareService service && service.hasProvidedBy()) {
					Stored organization = organizations.get(relative(service.getProvidedBy()));
					if (organization != null && organization.resource() instanceof Organization o) {
						for (String token : national(o.getIdentifier(), NationalIdentifiers.IDNST_SYSTEM)) {
							for (PulledAnswer.PulledSlot slot : cptsByOrganization.getOrDefault(token, List.of())) {
								if (!slot.start().isBefore(from) && !slot.start().isAfter(to)) {
									out.add(offered(stored.reference(), slot));
								}
							}
						}
					}
				}
			}
			return out;
		}

		private void keep(PulledAnswer answer) {
			answer.resources().values().forEach(kept -> pulled.computeIfAbsent(kept.reference(), r -> stored(kept)));
		}

		private OfferedSlot offered(String owner, PulledAnswer.PulledSlot slot) {
			Stored stored = pulled.get(slot.reference());
			String scheduleId = slot.schedule().substring(slot.schedule().lastIndexOf('/') + 1);
			return new OfferedSlot(owner, scheduleId, slot.start(), SlotFacets.of(slot.slot()), stored);
		}

		/** The card a pulled slot goes to: one of its owner's cards of the batch, at the same place if one is. */
		private Optional<Card> owner(PulledAnswer.PulledSlot slot, Map<String, List<Card>> owners, PulledAnswer answer) {
			List<Card> candidates = new ArrayList<>();
			slot.identifiers().forEach(id -> candidates.addAll(owners.getOrDefault(id, List.of())));
			if (candidates.size() <= 1) {
				return candidates.stream().findFirst();
			}
			Location there = pulledPlace(slot.place(), answer);
			return candidates.stream().filter(c -> samePlace(c.place(), there)).findFirst().or(() -> Optional.of(candidates.get(0)));
		}
	}

	/** A card of the batch and its place. */
	private record Card(String reference, Location place) {}

	private static Stored stored(PulledAnswer.Kept kept) {
		String reference = kept.reference();
		String suffix = "/" + kept.type() + "/" + kept.resource().getIdElement().getIdPart();
		String base = reference.endsWith(suffix) ? reference.substring(0, reference.length() - suffix.length())
				: reference.substring(0, reference.lastIndexOf('/', reference.lastIndexOf('/') - 1));
		Resource resource = kept.resource(); // shared by the cached answer: each search gets its own copy
		return new Stored(base, kept.type(), resource.getIdElement().getIdPart(), kept.json(), json -> resource.copy());
	}

	/** The place of a pulled slot's PractitionerRole (its Location) or SOS Location. */
	private static Location pulledPlace(String place, PulledAnswer answer) {
		if (place == null || answer.resources().get(place) == null) {
			return null;
		}
		Resource resource = answer.resources().get(place).resource();
		if (resource instanceof Location location) {
			return location;
		}
		return resource instanceof PractitionerRole role ? placeOf(role) : null;
	}

	/** A role's Location: contained, the first it names. */
	private static Location placeOf(PractitionerRole role) {
		for (Reference location : role.getLocation()) {
			String ref = location.getReference();
			if (ref != null && ref.startsWith("#")) {
				for (Resource contained : role.getContained()) {
					if (contained instanceof Location l && ref.substring(1).equals(contained.getIdElement().getIdPart())) {
						return l;
					}
				}
			}
		}
		return role.getContained().stream().filter(Location.class::isInstance).map(Location.class::cast).findFirst().orElse(null);
	}

	/** Within 500 m when both give a position, else the same postal code and city. */
	static boolean samePlace(Location a, Location b) {
		if (a == null || b == null) {
			return false;
		}
		if (a.hasPosition() && b.hasPosition() && a.getPosition().hasLatitude() && b.getPosition().hasLatitude()) {
			double km = kilometres(a.getPosition().getLatitude().doubleValue(), a.getPosition().getLongitude().doubleValue(),
					b.getPosition().getLatitude().doubleValue(), b.getPosition().getLongitude().doubleValue());
			return km <= 0.5;
		}
		return a.hasAddress() && b.hasAddress() && a.getAddress().hasPostalCode()
				&& a.getAddress().getPostalCode().equals(b.getAddress().getPostalCode())
				&& normalized(a.getAddress().getCity()).equals(normalized(b.getAddress().getCity()));
	}

	private static String normalized(String city) {
		return city == null ? "" : java.text.Normalizer.normalize(city, java.text.Normalizer.Form.NFD)
				.replaceAll("\\p{M}", "").replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
	}

	private static double kilometres(double lat1, double lon1, double lat2, double lon2) {
		double dLat = Math.toRadians(lat2 - lat1);
		double dLon = Math.toRadians(lon2 - lon1);
		double h = Math.sin(dLat / 2) * Math.sin(dLat / 2)
				+ Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
		return 2 * 6371.0 * Math.asin(Math.sqrt(h));
	}

	/** The national identifiers of that system, prefixed, as {@code system|value}. */
	private static List<String> national(List<Identifier> identifiers, String system) {
		List<String> out = new ArrayList<>();
		for (Identifier identifier : identifiers) {
			if (identifier.hasValue() && (!identifier.hasSystem() || system.equals(identifier.getSystem()))) {
				String value = NationalIdentifiers.prefixed(system, identifier.getValue()).orElse(identifier.getValue());
				out.add(system + "|" + value);
			}
		}
		return out;
	}

	/** What the cards' resources reference that says whose they are: practitioners, organizations. */
	private static List<String> secondHop(Collection<Stored> stored) {
		Set<String> out = new LinkedHashSet<>();
		for (Stored s : stored) {
			Resource resource = s.resource();
			if (resource instanceof PractitionerRole role && role.hasPractitioner()) {
				out.add(relative(role.getPractitioner()));
			} else if (resource instanceof Location location && location.hasManagingOrganization()) {
				out.add(relative(location.getManagingOrganization()));
			} else if (resource instanceof HealthcareService service && service.hasProvidedBy()) {
				out.add(relative(service.getProvidedBy()));
			}
		}
		return List.copyOf(out);
	}

	private static String relative(Reference reference) {
		return reference.getReferenceElement().toUnqualifiedVersionless().getValue();
	}
}
