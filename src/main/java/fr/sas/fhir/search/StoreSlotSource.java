package fr.sas.fhir.search;

import fr.sas.fhir.common.PerTransaction;
import fr.sas.fhir.common.SearchBounds;

import ca.uhn.fhir.jpa.api.svc.IIdHelperService;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.SlotSource;
import fr.sas.fhir.common.SlotSource.Stored;
import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The store's slots, read as the guide's slot searches read them: schedules from HAPI's link index, their free
 * slots from {@link FreeSlotIndex}, the search-side rules of {@link SlotAvailability}, resources from the cache of
 * encoded resources. {@code SlotSourceTest} compares its answers with HAPI's generic search.
 */
/** The store's slots; named, since the aggregator's source wraps it. */
@Component(StoreSlotSource.NAME)
class StoreSlotSource implements SlotSource {

	static final String NAME = "storeSlotSource";

	private final SlotIndexQueries queries;
	private final FreeSlotIndex freeSlots;
	private final ISearchParamRegistry searchParams;
	private final EncodedResources encodedResources;
	private final IHapiTransactionService transactions;
	private final Clock clock;
	private final SasProperties properties;

	StoreSlotSource(SlotIndexQueries queries, FreeSlotIndex freeSlots, ISearchParamRegistry searchParams,
			EncodedResources encodedResources, IHapiTransactionService transactions, Clock clock, SasProperties properties) {
		this.queries = queries;
		this.freeSlots = freeSlots;
		this.searchParams = searchParams;
		this.encodedResources = encodedResources;
		this.transactions = transactions;
		this.clock = clock;
		this.properties = properties;
	}

	@Override
	public List<OfferedSlot> byScheduleActor(Collection<String> actors, Instant from, Instant to) {
		if (actors.isEmpty()) {
			return List.of();
		}
		return readOnly(() -> {
			Map<Long, String> actorOf = references(keys(actors));
			if (actorOf.isEmpty()) {
				return List.of();
			}
			List<String> actorPaths = paths("Schedule", "actor");
			// with the actor each was found through, and the counters that tell whether what this node keeps of
			// each schedule is current
			List<SlotIndexQueries.ScheduleVersion> versions = queries.schedulesOf(actorOf.keySet(), actorPaths);
			if (versions.isEmpty()) {
				return List.of();
			}
			Map<Long, String> ownerOfSchedule = new HashMap<>();
			Map<String, EncodedResources.Key> known = knownKeys();
			for (SlotIndexQueries.ScheduleVersion v : versions) {
				ownerOfSchedule.put(v.schedule(), actorOf.get(v.actor()));
				if (known != null && v.resourceVersion() > 0) {
					EncodedResources.Key key = new EncodedResources.Key(v.schedule(), "Schedule", v.id(), v.resourceVersion());
					known.put(key.reference(), key);
				}
			}
			List<SlotRow> candidates = freeSlots.freeSlots(versions, paths("Slot", "schedule"), new SearchBounds(from, to));
			return offered(candidates, row -> ownerOfSchedule.get(row.schedule()));
		});
	}

	@Override
	public List<OfferedSlot> byService(Collection<String> services, Instant from, Instant to) {
		if (services.isEmpty()) {
			return List.of();
		}
		return readOnly(() -> {
			Map<Long, String> serviceOf = references(keys(services));
			if (serviceOf.isEmpty()) {
				return List.of();
			}
			List<String> servicePaths = paths("Slot", "service-type-reference");
			Set<Long> slots = queries.referencing(serviceOf.keySet(), "Slot", servicePaths);
			Map<Long, String> ownerOfSlot = new HashMap<>();
			for (SlotIndexQueries.Link link : queries.links(slots, servicePaths, "HealthcareService")) {
				ownerOfSlot.putIfAbsent(link.source(), serviceOf.get(link.target()));
			}
			Map<Long, EncodedResources.Key> keys = queries.keys(slots);
			Instant now = clock.instant();
			Instant horizon = now.plus(properties.getRules().getCptsWindow());
			List<OfferedSlot> offered = new ArrayList<>();
			for (Map.Entry<Long, EncodedResources.Encoded> entry
					: encodedResources.get(keys.values(), new SystemRequestDetails()).entrySet()) {
				EncodedResources.Encoded encoded = entry.getValue();
				Instant start = encoded.start();
				if (!encoded.free() || start == null || start.isBefore(from) || start.isAfter(to)
						|| encoded.end() == null || encoded.end().isBefore(now) || (encoded.cpts() && start.isAfter(horizon))) {
					continue;
				}
				offered.add(new OfferedSlot(ownerOfSlot.get(entry.getKey()), encoded.scheduleId(), start, encoded.facets(), stored(encoded)));
			}
			offered.sort((a, b) -> a.start().equals(b.start()) ? a.id().compareTo(b.id()) : a.start().compareTo(b.start()));
			return offered;
		});
	}

	@Override
	public Map<String, Stored> read(Collection<String> references) {
		if (references.isEmpty()) {
			return Map.of();
		}
		return readOnly(() -> {
			Map<String, Stored> out = new LinkedHashMap<>();
			for (EncodedResources.Encoded e : encodedResources.get(keys(references).values(), new SystemRequestDetails()).values()) {
				Stored stored = stored(e);
				out.put(stored.reference(), stored);
			}
			return out;
		});
	}

	private Stored stored(EncodedResources.Encoded encoded) {
		return new Stored(encoded.type(), encoded.id(), encoded.json(), json -> (Resource) encodedResources.parse(json));
	}

	private List<OfferedSlot> offered(List<SlotRow> candidates, java.util.function.Function<SlotRow, String> owner) {
		Instant now = clock.instant();
		Instant horizon = now.plus(properties.getRules().getCptsWindow());
		Map<Long, SlotRow> rowOfSlot = new HashMap<>();
		candidates.forEach(row -> rowOfSlot.put(row.slot(), row));
		List<EncodedResources.Key> all = candidates.stream().map(SlotRow::key).toList();
		Map<Long, EncodedResources.Encoded> encoded = encodedResources.get(all, new SystemRequestDetails());
		List<SlotRow> kept = SlotAvailability.offered(candidates, now, horizon, encoded);
		List<OfferedSlot> out = new ArrayList<>(kept.size());
		for (SlotRow row : kept) {
			EncodedResources.Encoded slot = encoded.get(row.slot());
			if (slot != null) {
				out.add(new OfferedSlot(owner.apply(row), slot.scheduleId(), row.start(), slot.facets(), stored(slot)));
			}
		}
		return out;
	}

	/**
	 * The stored resources named "Type/id", with their current version, by pid: one query per type, for those not
	 * already read in this read-only transaction.
	 */
	private Map<Long, EncodedResources.Key> keys(Collection<String> references) {
		Map<String, EncodedResources.Key> known = knownKeys();
		Map<Long, EncodedResources.Key> out = new HashMap<>();
		List<String> unknown = new ArrayList<>(references.size());
		for (String reference : references) {
			EncodedResources.Key key = known == null ? null : known.get(reference);
			if (key != null) {
				out.put(key.pid(), key);
			} else if (reference.indexOf('/') > 0) {
				unknown.add(reference);
			}
		}
		Map<String, List<String>> idsByType = unknown.stream()
				.collect(Collectors.groupingBy(r -> r.substring(0, r.indexOf('/')), LinkedHashMap::new,
						Collectors.mapping(r -> r.substring(r.indexOf('/') + 1), Collectors.toList())));
		idsByType.forEach((type, ids) -> queries.keysOf(type, ids).forEach((pid, key) -> {
			out.put(pid, key);
			if (known != null) {
				known.put(key.reference(), key);
			}
		}));
		return out;
	}

	private static final Object KNOWN_KEYS = new Object();

	/**
	 * The keys read so far in the current read-only transaction, or null outside one: a contextual search reads
	 * its cards' and schedules' keys while ranking, then again for its page, in one transaction (a write
	 * transaction could change them between two reads, so it keeps none).
	 */
	private static Map<String, EncodedResources.Key> knownKeys() {
		if (!TransactionSynchronizationManager.isSynchronizationActive()
				|| !TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
			return null;
		}
		return PerTransaction.value(KNOWN_KEYS, HashMap::new);
	}

	private static Map<Long, String> references(Map<Long, EncodedResources.Key> keys) {
		Map<Long, String> out = new HashMap<>();
		keys.forEach((pid, key) -> out.put(pid, key.reference()));
		return out;
	}

	private List<String> paths(String resourceType, String parameter) {
		return GuideSearchExecutor.paths(searchParams, resourceType, parameter);
	}

	private <T> T readOnly(java.util.function.Supplier<T> work) {
		return transactions.withSystemRequest().readOnly().execute(work::get);
	}
}
