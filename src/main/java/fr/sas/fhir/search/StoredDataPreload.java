package fr.sas.fhir.search;

import fr.sas.fhir.common.CacheWarmer;
import fr.sas.fhir.common.SearchBounds;

import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import fr.sas.fhir.search.SlotIndexQueries.ScheduleVersion;
import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Reads the stored data the slot searches answer with into this node's caches before it reports ready: the
 * directory resources they include ({@link EncodedResources}), then the free slots of every schedule
 * ({@link FreeSlotIndex}) and their JSON. After a restart the caches are empty, and each of the first searches of a
 * practitioner read its schedules' free slots from the database and loaded and encoded its resources through HAPI:
 * 300 of the first 1,000 guide searches took over 100 ms on the benchmark, where they take 3 ms once read
 * (docs/operations.md). Reading them page by page is the
 * same work done once, before the first regulator's search; it stops at the budget or when the cache is full.
 * After a graceful restart most of the JSON is already back from {@link EncodedResourcesSnapshot} (order 0).
 */
@Component
@Order(1)
class StoredDataPreload implements CacheWarmer {

	/** What the guide's includes and the contextual search's cards bring along with the slots. */
	static final List<String> DIRECTORY =
			List.of("Schedule", "PractitionerRole", "Practitioner", "Location", "Organization", "HealthcareService");
	/** The types a Schedule's actor may be: their schedules' free slots are read. */
	static final List<String> ACTORS = List.of("Practitioner", "PractitionerRole", "Location", "HealthcareService");
	private static final int PAGE = 1000;
	/** Slots starting up to this far ahead are read (publishers expose a week or two). */
	private static final Duration HORIZON = Duration.ofDays(400);

	private final SlotIndexQueries queries;
	private final FreeSlotIndex freeSlots;
	private final EncodedResources encodedResources;
	private final ISearchParamRegistry searchParams;
	private final IHapiTransactionService transactions;
	private final Clock clock;

	StoredDataPreload(SlotIndexQueries queries, FreeSlotIndex freeSlots, EncodedResources encodedResources,
			ISearchParamRegistry searchParams, IHapiTransactionService transactions, Clock clock) {
		this.queries = queries;
		this.freeSlots = freeSlots;
		this.encodedResources = encodedResources;
		this.searchParams = searchParams;
		this.transactions = transactions;
		this.clock = clock;
	}

	@Override
	public String warm(Duration budget) {
		long started = System.nanoTime();
		long deadline = started + budget.toNanos();
		SystemRequestDetails request = new SystemRequestDetails();
		int directory = 0;
		for (String type : DIRECTORY) {
			for (List<EncodedResources.Key> page = page(type, 0); !page.isEmpty() && !stop(deadline);
					page = page(type, last(page))) {
				List<EncodedResources.Key> keys = page;
				transactions.withSystemRequest().readOnly().execute(() -> encodedResources.get(keys, request));
				directory += page.size();
			}
		}
		Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
		SearchBounds ahead = new SearchBounds(now, now.plus(HORIZON));
		List<String> actorPaths = GuideSearchExecutor.paths(searchParams, "Schedule", "actor");
		List<String> slotPaths = GuideSearchExecutor.paths(searchParams, "Slot", "schedule");
		// a schedule naming both a practitioner and its role is read once
		Set<Long> schedules = new HashSet<>();
		int slots = 0;
		for (String type : ACTORS) {
			for (List<EncodedResources.Key> page = page(type, 0); !page.isEmpty() && !stop(deadline);
					page = page(type, last(page))) {
				List<Long> actors = page.stream().map(EncodedResources.Key::pid).toList();
				List<EncodedResources.Key> free = transactions.withSystemRequest().readOnly().execute(() -> {
					List<ScheduleVersion> versions = queries.schedulesOf(actors, actorPaths).stream()
							.filter(version -> schedules.add(version.schedule()))
							.toList();
					List<SlotRow> rows = versions.isEmpty() ? List.of() : freeSlots.freeSlots(versions, slotPaths, ahead);
					return rows.stream().map(SlotRow::key).toList();
				});
				slots += free.size();
				// encoded a page at a time: a page of actors may hold any number of slots, and HAPI loads each one whole
				for (int from = 0; from < free.size() && !stop(deadline); from += PAGE) {
					List<EncodedResources.Key> some = free.subList(from, Math.min(free.size(), from + PAGE));
					transactions.withSystemRequest().readOnly().execute(() -> encodedResources.get(some, request));
				}
			}
		}
		return String.format("%d directory resources, %d schedules and their %d free slots read in %d ms%s", directory,
				schedules.size(), slots, Duration.ofNanos(System.nanoTime() - started).toMillis(),
				encodedResources.isFull() ? " (the cache is full: sas.search.cache-size)"
						: stop(deadline) ? " (the budget ran out)" : "");
	}

	private boolean stop(long deadline) {
		return System.nanoTime() - deadline >= 0 || encodedResources.isFull();
	}

	private List<EncodedResources.Key> page(String type, long afterPid) {
		return transactions.withSystemRequest().readOnly().execute(() -> queries.currentKeys(type, afterPid, PAGE));
	}

	private static long last(List<EncodedResources.Key> page) {
		return page.get(page.size() - 1).pid();
	}
}
