package fr.sas.fhir.aggregator;

import ca.uhn.fhir.util.FhirTerser;
import fr.sas.fhir.common.EncodedAnswers;
import fr.sas.fhir.common.SasCodes;
import fr.sas.fhir.common.SlotSource;
import fr.sas.fhir.common.StoreGuideSearch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;

/**
 * The store's answer to a guide search as matches of the merged answer: each match with what it brings along (the
 * resources of the store's answer it references, following references from what it brings; an SOS schedule's slots
 * too), so that a page takes the includes of its own matches only; and without the slots the publishers returned
 * too ({@link SameSlot}: same practitioner or association asked, same start and end), which are shown as the
 * publisher returned them.
 */
record StoreMatches(List<AggregatedGuideSearch.Match> matches, Map<String, EncodedAnswers.Assembled> includes, int duplicates) {

	private static final Bundle.BundleEntrySearchComponent MATCH =
			new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.MATCH);
	private static final Bundle.BundleEntrySearchComponent INCLUDE =
			new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.INCLUDE);

	static StoreMatches of(List<StoreGuideSearch.Entry> answer, String serverBase, boolean sos, AnswerCheck.Asked asked,
			SameSlot same, FhirTerser terser) {
		Graph graph = new Graph(answer, terser, asked);
		Map<String, EncodedAnswers.Assembled> includes = new LinkedHashMap<>();
		Map<String, List<String>> slotsOfSchedule = new HashMap<>();
		for (StoreGuideSearch.Entry entry : answer) {
			if (!entry.match()) {
				SlotSource.Stored stored = entry.resource();
				includes.put(key(stored), new EncodedAnswers.Assembled(stored.fullUrl(serverBase), stored.json(), stored::resource,
						INCLUDE, EncodedAnswers.INCLUDE));
				if (sos && "Slot".equals(stored.type())) {
					slotsOfSchedule.computeIfAbsent(Graph.relative(((Slot) stored.resource()).getSchedule()), k -> new ArrayList<>())
							.add(key(stored));
				}
			}
		}
		List<AggregatedGuideSearch.Match> matches = new ArrayList<>();
		int duplicates = 0;
		for (StoreGuideSearch.Entry entry : answer) {
			if (!entry.match()) {
				continue;
			}
			SlotSource.Stored stored = entry.resource();
			String reference = key(stored);
			Set<String> along = new LinkedHashSet<>();
			int slots;
			boolean cpts = false;
			if (sos) {
				Schedule schedule = (Schedule) stored.resource();
				Set<String> owner = graph.association(schedule);
				slots = 0;
				for (String slotRef : slotsOfSchedule.getOrDefault(reference, List.of())) {
					Slot slot = (Slot) graph.resource(slotRef);
					if (!owner.isEmpty() && !same.first(owner, slot.getStart().toInstant(), slot.getEnd().toInstant())) {
						duplicates++;
						continue;
					}
					slots++;
					along.add(slotRef);
					along.addAll(graph.closure(slotRef));
				}
				if (slots == 0) {
					continue; // every slot of it came from its publisher
				}
				along.addAll(graph.closure(reference));
			} else {
				Slot slot = (Slot) stored.resource();
				Set<String> owner = graph.practitioner(graph.resource(Graph.relative(slot.getSchedule())));
				if (!owner.isEmpty() && !same.first(owner, slot.getStart().toInstant(), slot.getEnd().toInstant())) {
					duplicates++;
					continue;
				}
				slots = 1;
				cpts = SasCodes.isCpts(slot);
				along.addAll(graph.closure(reference));
			}
			along.remove(reference);
			matches.add(new AggregatedGuideSearch.Match(reference, new EncodedAnswers.Assembled(stored.fullUrl(serverBase),
					stored.json(), stored::resource, MATCH, EncodedAnswers.MATCH), along, slots, cpts));
		}
		return new StoreMatches(matches, includes, duplicates);
	}

	private static String key(SlotSource.Stored stored) {
		return stored.type() + "/" + stored.id();
	}

	/** The references between the resources of the store's answer. */
	private static final class Graph {
		private final Map<String, SlotSource.Stored> resources = new LinkedHashMap<>();
		private final Map<String, Set<String>> referencesOf = new HashMap<>();
		private final FhirTerser terser;
		private final AnswerCheck.Asked asked;

		Graph(List<StoreGuideSearch.Entry> answer, FhirTerser terser, AnswerCheck.Asked asked) {
			answer.forEach(e -> resources.put(key(e.resource()), e.resource()));
			this.terser = terser;
			this.asked = asked;
		}

		Resource resource(String reference) {
			SlotSource.Stored stored = resources.get(reference);
			return stored == null ? null : stored.resource();
		}

		/** What the answer holds that {@code start} references, and what that references, and so on. */
		Set<String> closure(String start) {
			Set<String> out = new LinkedHashSet<>();
			Deque<String> next = new ArrayDeque<>(List.of(start));
			while (!next.isEmpty()) {
				for (String target : references(next.poll())) {
					if (resources.containsKey(target) && !target.equals(start) && out.add(target)) {
						next.add(target);
					}
				}
			}
			return out;
		}

		private Set<String> references(String reference) {
			return referencesOf.computeIfAbsent(reference, r -> {
				Set<String> out = new LinkedHashSet<>();
				Resource resource = resource(r);
				if (resource != null) {
					for (Reference ref : terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
						if (ref.hasReference() && !ref.getReference().startsWith("#")) {
							out.add(relative(ref));
						}
					}
				}
				return out;
			});
		}

		/** The asked identifiers of a schedule's practitioner: its Practitioner actor's, or its role's practitioner's. */
		Set<String> practitioner(Resource schedule) {
			Set<String> out = new LinkedHashSet<>();
			if (schedule instanceof Schedule s) {
				for (Reference actor : s.getActor()) {
					Resource target = resource(relative(actor));
					if (target instanceof PractitionerRole role && role.hasPractitioner()) {
						target = resource(relative(role.getPractitioner()));
					}
					if (target instanceof Practitioner p) {
						collect(p.getIdentifier(), out);
					}
				}
			}
			return out;
		}

		/** The asked identifiers of the association managing an SOS schedule's place. */
		Set<String> association(Schedule schedule) {
			Set<String> out = new LinkedHashSet<>();
			for (Reference actor : schedule.getActor()) {
				if (resource(relative(actor)) instanceof Location location && location.hasManagingOrganization()
						&& resource(relative(location.getManagingOrganization())) instanceof Organization o) {
					collect(o.getIdentifier(), out);
				}
			}
			return out;
		}

		private void collect(List<Identifier> identifiers, Set<String> out) {
			identifiers.forEach(i -> asked.of(i).ifPresent(out::add));
		}

		static String relative(Reference reference) {
			return reference.getReferenceElement().toUnqualifiedVersionless().getValue();
		}
	}
}
