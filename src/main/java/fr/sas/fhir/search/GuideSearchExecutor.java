package fr.sas.fhir.search;

import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.IncludeSpec;
import fr.sas.fhir.common.SearchRefusal;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.search.SlotIndexQueries.Link;
import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Runs one of the guide's slot searches: walks from the identifiers to the free slots of the window
 * ({@link SlotIndexQueries}), applies the search-side rules ({@link SlotAvailability}), cuts the page, follows
 * the requested includes, and takes the page's resources from {@link EncodedResources}: each the stored version
 * as HAPI's loader and JSON encoder give it, so every entry is what HAPI's generic search would return.
 */
@Component
class GuideSearchExecutor {

	/** One entry of a page: the resource as stored, and whether it matched or came along. */
	record Entry(EncodedResources.Encoded resource, boolean match) {}

	/** One page of a guide search: its entries (matches first), the total, the number of matches of all pages. */
	record Page(List<Entry> entries, int total, int matches) {}

	private final SlotIndexQueries queries;
	private final FreeSlotIndex freeSlots;
	private final ISearchParamRegistry searchParams;
	private final EncodedResources encodedResources;
	private final IHapiTransactionService transactions;
	private final Clock clock;
	private final SasProperties properties;

	GuideSearchExecutor(SlotIndexQueries queries, FreeSlotIndex freeSlots, ISearchParamRegistry searchParams,
			EncodedResources encodedResources, IHapiTransactionService transactions, Clock clock,
			SasProperties properties) {
		this.queries = queries;
		this.freeSlots = freeSlots;
		this.searchParams = searchParams;
		this.encodedResources = encodedResources;
		this.transactions = transactions;
		this.clock = clock;
		this.properties = properties;
	}

	Page execute(GuideSearchRequest search, RequestDetails request, int pageSize) {
		return transactions.withRequest(request).readOnly().execute(() -> run(search, request, pageSize));
	}

	private Page run(GuideSearchRequest search, RequestDetails request, int pageSize) {
		Instant now = clock.instant();
		Instant cptsHorizon = now.plus(properties.getRules().getCptsWindow());
		List<SlotRow> candidates = candidates(search);
		Map<Long, SlotRow> rowOfSlot = new HashMap<>(candidates.size() * 2);
		candidates.forEach(row -> rowOfSlot.put(row.slot(), row));
		List<Long> edges = SlotAvailability.edges(candidates, now, cptsHorizon);
		Map<Long, EncodedResources.Encoded> known = edges.isEmpty() ? new HashMap<>()
				: new HashMap<>(encodedResources.get(edges.stream().map(pid -> rowOfSlot.get(pid).key()).toList(), request));
		List<SlotRow> offered = SlotAvailability.offered(candidates, now, cptsHorizon, known);
		Map<String, Set<Long>> matchesByType = new LinkedHashMap<>();
		Set<Long> revincluded = new LinkedHashSet<>();
		List<Long> matches;
		int total;
		int matchCount;
		if (search.shape() == GuideSearchRequest.Shape.PRACTITIONER) {
			matchCount = total = offered.size();
			matches = window(offered.stream().map(SlotRow::slot).toList(), search.offset(), pageSize);
			matchesByType.put("Slot", new LinkedHashSet<>(matches));
		} else {
			// SOS: the Schedules having a free slot in the window match; those slots, and only those, come along
			// (the guide's example: Schedules in match mode, Slots in include mode, total counting the slots).
			Map<Long, List<SlotRow>> bySchedule = SlotAvailability.bySchedule(offered);
			total = offered.size();
			matchCount = bySchedule.size();
			matches = window(new ArrayList<>(bySchedule.keySet()), search.offset(), pageSize);
			matchesByType.put("Schedule", new LinkedHashSet<>(matches));
			if (search.revincludeSlots()) {
				matches.forEach(schedule -> bySchedule.get(schedule).forEach(row -> revincluded.add(row.slot())));
			}
		}
		Set<Long> included = new LinkedHashSet<>(revincluded);
		included.addAll(includes(search.includes(), matchesByType, revincluded, rowOfSlot));
		included.removeAll(matches);
		Set<Long> page = new LinkedHashSet<>(matches);
		page.addAll(included);
		// Slots' versions came with the candidates, and the edges are already read: only the rest is looked up.
		List<EncodedResources.Key> toRead = new ArrayList<>();
		List<Long> others = new ArrayList<>();
		for (Long pid : page) {
			SlotRow row = rowOfSlot.get(pid);
			if (row == null) {
				others.add(pid);
			} else if (!known.containsKey(pid)) {
				toRead.add(row.key());
			}
		}
		if (!others.isEmpty()) {
			toRead.addAll(queries.keys(others).values());
		}
		if (!toRead.isEmpty()) {
			known.putAll(encodedResources.get(toRead, request));
		}
		List<Entry> entries = new ArrayList<>(page.size());
		for (Long pid : page) {
			EncodedResources.Encoded resource = known.get(pid);
			if (resource != null) {
				entries.add(new Entry(resource, !included.contains(pid)));
			}
		}
		return new Page(entries, total, matchCount);
	}

	private List<SlotRow> candidates(GuideSearchRequest search) {
		Set<Long> actors;
		if (search.shape() == GuideSearchRequest.Shape.PRACTITIONER) {
			actors = queries.withIdentifier("Practitioner", search.identifiers());
		} else {
			Set<Long> organizations = queries.withIdentifier("Organization", search.identifiers());
			actors = organizations.isEmpty() ? Set.of()
					: queries.referencing(organizations, "Location", paths("Location", "organization"));
		}
		// the schedules come with the counters that tell whether what this node keeps of them is current
		List<SlotIndexQueries.ScheduleVersion> schedules = actors.isEmpty() ? List.of()
				: queries.schedulesOf(actors, paths("Schedule", "actor"));
		return schedules.isEmpty() ? List.of() : freeSlots.freeSlots(schedules, paths("Slot", "schedule"), search.start());
	}

	/**
	 * FHIR include semantics: plain includes follow the matches' references once, iterating ones follow the
	 * references of everything included until nothing new comes.
	 */
	private Set<Long> includes(Set<IncludeSpec> specs, Map<String, Set<Long>> matches, Set<Long> revincludedSlots,
			Map<Long, SlotRow> rowOfSlot) {
		Map<String, Set<Long>> byType = new HashMap<>();
		if (!revincludedSlots.isEmpty()) {
			byType.computeIfAbsent("Slot", t -> new LinkedHashSet<>()).addAll(revincludedSlots);
		}
		Set<Long> included = new LinkedHashSet<>(revincludedSlots);
		for (IncludeSpec spec : specs) {
			if (!spec.iterate()) {
				follow(spec, matches.getOrDefault(spec.sourceType(), Set.of()), byType, included, rowOfSlot);
			}
		}
		Map<String, Set<Long>> done = new HashMap<>();
		boolean grown = true;
		while (grown) {
			grown = false;
			for (IncludeSpec spec : specs) {
				if (!spec.iterate()) {
					continue;
				}
				Set<Long> sources = new LinkedHashSet<>(matches.getOrDefault(spec.sourceType(), Set.of()));
				sources.addAll(byType.getOrDefault(spec.sourceType(), Set.of()));
				sources.removeAll(done.computeIfAbsent(spec.toString(), k -> new LinkedHashSet<>()));
				if (sources.isEmpty()) {
					continue;
				}
				done.get(spec.toString()).addAll(sources);
				grown |= follow(spec, sources, byType, included, rowOfSlot);
			}
		}
		return included;
	}

	private boolean follow(IncludeSpec spec, Collection<Long> sources, Map<String, Set<Long>> byType, Set<Long> included,
			Map<Long, SlotRow> rowOfSlot) {
		if (sources.isEmpty()) {
			return false;
		}
		List<Link> links = new ArrayList<>();
		Collection<Long> toQuery = "Slot".equals(spec.sourceType())
				? linksOfCandidateSlots(spec, sources, rowOfSlot, links)
				: sources;
		if (!toQuery.isEmpty()) {
			links.addAll(queries.links(toQuery, paths(spec.sourceType(), spec.param()), spec.targetType()));
		}
		boolean grown = false;
		for (Link link : links) {
			if (included.add(link.target())) {
				byType.computeIfAbsent(link.targetType(), t -> new LinkedHashSet<>()).add(link.target());
				grown = true;
			}
		}
		return grown;
	}

	/**
	 * The references of candidate slots are known: read with them ({@link FreeSlotIndex}), or, for
	 * {@code Slot:schedule}, the very link they were found through. Adds those to {@code links}; returns the
	 * sources whose references must be queried.
	 */
	private List<Long> linksOfCandidateSlots(IncludeSpec spec, Collection<Long> slots, Map<Long, SlotRow> rowOfSlot,
			List<Link> links) {
		List<String> paths = paths("Slot", spec.param());
		boolean schedule = "schedule".equals(spec.param())
				&& (spec.targetType() == null || "Schedule".equals(spec.targetType()));
		List<Long> unknown = new ArrayList<>();
		for (Long slot : slots) {
			SlotRow row = rowOfSlot.get(slot);
			if (row != null && row.links() != null) {
				for (SlotIndexQueries.PathLink link : row.links()) {
					if (paths.contains(link.path())
							&& (spec.targetType() == null || spec.targetType().equals(link.targetType()))) {
						links.add(new Link(slot, link.target(), link.targetType()));
					}
				}
			} else if (row != null && schedule) {
				links.add(new Link(slot, row.schedule(), "Schedule"));
			} else {
				unknown.add(slot);
			}
		}
		return unknown;
	}

	/** The index paths of a reference search parameter, as HAPI records them in {@code HFJ_RES_LINK.SRC_PATH}. */
	private List<String> paths(String resourceType, String param) {
		return paths(searchParams, resourceType, param);
	}

	/** The index paths of a reference search parameter ({@code Slot.schedule} for Slot:schedule). */
	static List<String> paths(ISearchParamRegistry searchParams, String resourceType, String param) {
		RuntimeSearchParam sp = searchParams.getActiveSearchParam(
				resourceType, param, ISearchParamRegistry.SearchParamLookupContextEnum.SEARCH);
		if (sp == null || sp.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
			throw SearchRefusal.badParameter("_include", resourceType + ":" + param + " is not a reference search parameter");
		}
		return sp.getPathsSplitForResourceType(resourceType);
	}

	private static List<Long> window(List<Long> ids, int offset, int size) {
		if (offset >= ids.size()) {
			return new ArrayList<>();
		}
		return new ArrayList<>(ids.subList(offset, Math.min(ids.size(), offset + size)));
	}
}
