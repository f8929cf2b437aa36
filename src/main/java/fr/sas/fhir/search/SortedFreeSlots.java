package fr.sas.fhir.search;

import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import fr.sas.fhir.common.ChangeCounters;
import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The analyst's sorted page of free slots ({@link SortedSlotPageRequest}) from {@link FreeSlotIndex}, in
 * O(schedules + page · log schedules) whatever the number of matches, where HAPI's SQL joins, sorts and counts every
 * match (docs/search.md). One query finds every schedule with its change counters; each schedule's free slots,
 * sorted by start, come from the index (read once, then kept current across writes and nodes); the total is the sum
 * over the schedules of the window's size in each list (two binary searches); the page is the merge of the lists
 * from the window's start (a heap of one cursor per schedule), by start then resource id. The entries are the
 * stored versions as HAPI's loader and encoder give them ({@link EncodedResources}).
 *
 * <p>Matches exactly what HAPI's {@code status=free&start=...} matches: a slot is in a schedule's list when its
 * {@code status} token is {@code free} (the same value hash HAPI's search uses), it has a {@code start} row and is
 * not deleted, and it links to the schedule through {@code Slot.schedule}; every stored Slot does (HAPI's referential
 * integrity, on by default and kept here, refuses a slot whose schedule is not stored) but one whose schedule is a
 * contained resource, for which HAPI answers, and every Schedule is listed, deleted ones included. Ties at one start are ordered by resource id here, in no stated order by HAPI.
 */
@Component
class SortedFreeSlots {

	/** Schedules whose lists are read per query when not kept (their slots' ids travel as one array). */
	private static final int SCHEDULES_PER_READ = 500;
	/** A store whose free slots exceed the index is not read again in the background sooner than this. */
	private static final Duration REFILL_AFTER = Duration.ofMinutes(1);
	private static final Logger LOG = LoggerFactory.getLogger(SortedFreeSlots.class);
	/**
	 * More schedules than this without a current list (after a start, before the preload read them; after a bulk
	 * write): HAPI's search answers, O(matches), while the lists are read in the background, instead of this search
	 * reading them all (31.8 s for 2 M slots, where HAPI's takes 6-9 s).
	 */
	static final int COLD_SCHEDULES = 2_000;

	/** One page: the slots' stored forms in order, the total of matches. */
	record Page(List<EncodedResources.Encoded> slots, long total) {}

	private final SlotIndexQueries queries;
	private final FreeSlotIndex freeSlots;
	private final EncodedResources encodedResources;
	private final ISearchParamRegistry searchParams;
	private final IHapiTransactionService transactions;
	private final ChangeCounters counters;
	private final AtomicReference<CompletableFuture<Void>> filling =
			new AtomicReference<>(CompletableFuture.completedFuture(null));
	private volatile int coldSchedules = COLD_SCHEDULES;
	/**
	 * Whether the store held a Slot with a contained schedule, as found for a value of
	 * {@link FreeSlotIndex#CONTAINED_SCHEDULES}; looked again when another such write changes it (null: not yet).
	 */
	private volatile ContainedSchedules containedSchedules;

	private record ContainedSchedules(long counter, boolean present) {}
	/** When the last background read ended: a store whose free slots exceed the index is not read again at once. */
	private volatile long lastFilled = System.nanoTime() - REFILL_AFTER.toNanos();

	SortedFreeSlots(SlotIndexQueries queries, FreeSlotIndex freeSlots, EncodedResources encodedResources,
			ISearchParamRegistry searchParams, IHapiTransactionService transactions, ChangeCounters counters) {
		this.counters = counters;
		this.queries = queries;
		this.freeSlots = freeSlots;
		this.encodedResources = encodedResources;
		this.searchParams = searchParams;
		this.transactions = transactions;
	}

	/** The lists' reading in the background, if one is under way (tests). */
	CompletableFuture<Void> filling() {
		return filling.get();
	}

	/** Sets how many schedules without a current list send a search to HAPI meanwhile (tests). */
	void coldSchedules(int schedules) {
		this.coldSchedules = schedules;
	}

	/**
	 * The page, or empty when HAPI's search is to answer: the free-slot index off, or too many lists to read first
	 * ({@link #COLD_SCHEDULES}), which are then read in the background.
	 */
	Optional<Page> page(SortedSlotPageRequest search, int pageSize, RequestDetails request) {
		return transactions.withRequest(request).readOnly().execute(() -> run(search, pageSize, request));
	}

	private Optional<Page> run(SortedSlotPageRequest search, int pageSize, RequestDetails request) {
		List<String> slotPaths = GuideSearchExecutor.paths(searchParams, "Slot", "schedule");
		if (anySlotWithContainedSchedule(slotPaths)) {
			return Optional.empty();
		}
		List<SlotIndexQueries.ScheduleVersion> schedules = queries.everySchedule();
		if (freeSlots.notKept(schedules) > coldSchedules) {
			fillInBackground(slotPaths);
			return Optional.empty();
		}
		Optional<List<FreeSlotIndex.Sorted>> lists = freeSlots.sortedLists(schedules, slotPaths, SCHEDULES_PER_READ);
		if (lists.isEmpty()) {
			return Optional.empty();
		}
		long total = 0;
		PriorityQueue<Cursor> heap = new PriorityQueue<>();
		for (FreeSlotIndex.Sorted list : lists.get()) {
			int from = list.firstAtOrAfter(search.lowest());
			int to = search.highest() == Long.MAX_VALUE ? list.starts().length : list.firstAtOrAfter(search.highest() + 1);
			if (from < to) {
				total += to - from;
				heap.add(new Cursor(list, from, to));
			}
		}
		List<EncodedResources.Key> keys = new ArrayList<>(pageSize);
		long wanted = (long) search.offset() + pageSize;
		for (long taken = 0; taken < wanted && !heap.isEmpty(); taken++) {
			Cursor cursor = heap.poll();
			if (taken >= search.offset()) {
				keys.add(cursor.row().key());
			}
			if (cursor.next()) {
				heap.add(cursor);
			}
		}
		Map<Long, EncodedResources.Encoded> encoded = keys.isEmpty() ? Map.of() : encodedResources.get(keys, request);
		List<EncodedResources.Encoded> slots = new ArrayList<>(keys.size());
		for (EncodedResources.Key key : keys) {
			EncodedResources.Encoded slot = encoded.get(key.pid());
			if (slot != null) {
				slots.add(slot);
			}
		}
		return Optional.of(new Page(slots, total));
	}

	/**
	 * A Slot whose schedule is contained is in no list and HAPI's search counts it: HAPI answers while the store holds
	 * one. Looked for (one anti-join over the slots) once per node, and again after each write of such a slot on any
	 * node (a shared counter), so the fast path comes back once they are deleted.
	 */
	private boolean anySlotWithContainedSchedule(List<String> slotPaths) {
		long counter = counters.read(FreeSlotIndex.CONTAINED_SCHEDULES);
		ContainedSchedules known = containedSchedules;
		if (known == null || known.counter() != counter) {
			known = new ContainedSchedules(counter, queries.anySlotWithoutStoredSchedule(slotPaths));
			containedSchedules = known;
			if (known.present()) {
				LOG.info("Sorted free slots: the store holds a Slot whose schedule is contained: HAPI's search answers");
			}
		}
		return known.present();
	}

	/** Reads every schedule's list into the index, once at a time, on a thread of its own. */
	private void fillInBackground(List<String> slotPaths) {
		CompletableFuture<Void> current = filling.get();
		if (!current.isDone() || System.nanoTime() - lastFilled < REFILL_AFTER.toNanos()) {
			return;
		}
		CompletableFuture<Void> next = new CompletableFuture<>();
		if (!filling.compareAndSet(current, next)) {
			return;
		}
		Thread reader = new Thread(() -> {
			long started = System.nanoTime();
			try {
				transactions.withSystemRequest().readOnly().execute(
						() -> freeSlots.sortedLists(queries.everySchedule(), slotPaths, SCHEDULES_PER_READ));
				LOG.info("Sorted free slots: every schedule's list read in {} ms",
						Duration.ofNanos(System.nanoTime() - started).toMillis());
				next.complete(null);
			} catch (RuntimeException e) {
				LOG.warn("Sorted free slots: the lists could not be read in the background: {}", e.toString());
				next.completeExceptionally(e);
			} finally {
				lastFilled = System.nanoTime();
			}
		}, "sorted-free-slots-fill");
		reader.setDaemon(true);
		reader.start();
	}

	/** A position in one schedule's sorted list, ordered by the slot it points at (start, then resource id). */
	private static final class Cursor implements Comparable<Cursor> {

		private final FreeSlotIndex.Sorted list;
		private final int to;
		private int at;

		Cursor(FreeSlotIndex.Sorted list, int from, int to) {
			this.list = list;
			this.at = from;
			this.to = to;
		}

		SlotRow row() {
			return list.rows()[at];
		}

		boolean next() {
			return ++at < to;
		}

		@Override
		public int compareTo(Cursor other) {
			int byStart = Long.compare(list.starts()[at], other.list.starts()[other.at]);
			return byStart != 0 ? byStart : Long.compare(row().slot(), other.row().slot());
		}
	}
}
