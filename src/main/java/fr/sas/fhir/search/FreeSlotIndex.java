package fr.sas.fhir.search;

import fr.sas.fhir.common.SearchBounds;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import fr.sas.fhir.common.AfterCommit;
import fr.sas.fhir.common.ChangeCounters;
import fr.sas.fhir.common.PerTransaction;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import jakarta.annotation.PostConstruct;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;

/**
 * The free slots of each schedule, in memory, sorted by start: a slot search reads its window by binary search
 * instead of joining the link, date and status indexes for every slot of every schedule (most of a search's
 * time on a week of slots). Each schedule's list is what {@link SlotIndexQueries#freeSlotsOf} reads, with each
 * slot's references ({@link SlotIndexQueries#outgoingLinks}), and is
 * dropped whenever a Slot of that schedule is created, updated or deleted, when the write is about to commit and
 * again once committed. A list is kept only if no such write happened while it was read (a per-schedule change
 * counter), so a list read across a commit is used once and never kept. The hooks sit on HAPI's storage-wide
 * interceptor service: every write is seen, whether it comes from the REST API or from a job.
 *
 * <p>Several nodes on one database: each write also bumps its schedule's {@link ChangeCounters shared counter}
 * in its transaction, and every search reads the counters of its schedules in the query that finds the schedules
 * before using what it keeps, so a slot created, booked or
 * deleted through any node is seen by the next search on every node.
 */
@Component
class FreeSlotIndex {

	/** Counter of the writes that may have changed any schedule's slots (an expunge of everything). */
	static final String ALL_SLOTS = "slots:*";
	/**
	 * Counter of the writes of a Slot whose schedule is a contained resource ({@code #id}): such a slot has no link
	 * to a stored schedule, so it is in no list, where HAPI's search counts it ({@link SortedFreeSlots}).
	 */
	static final String CONTAINED_SCHEDULES = "slots:contained-schedule";

	/**
	 * A schedule's free slots, sorted by start then resource id, with the shared counters (its own and
	 * {@link #ALL_SLOTS}) as they were read before them.
	 */
	private record ScheduleSlots(SlotIndexQueries.ScheduleVersion seen, long[] starts, SlotRow[] rows) {

		String id() {
			return seen.id();
		}

		/** No other node's write to this schedule's slots (nor an expunge) since it was read. */
		boolean isCurrent(SlotIndexQueries.ScheduleVersion now) {
			return now.version() == seen.version() && now.everything() == seen.everything();
		}
	}

	private final IInterceptorService storageInterceptors;
	private final SlotIndexQueries queries;
	private final ChangeCounters counters;
	private final Cache<Long, ScheduleSlots> bySchedule;
	/** Change counters by schedule FHIR id; the pid of each kept schedule by its FHIR id (writes name the id). */
	private final Map<String, AtomicLong> changes = new ConcurrentHashMap<>();
	private final Map<String, Long> keptSchedules = new ConcurrentHashMap<>();
	private final AtomicLong everything = new AtomicLong();
	/** This index's key among a transaction's resources (each index its own: a test may build several). */
	private final Object forgottenAgainKey = new Object();
	private final boolean enabled;

	FreeSlotIndex(IInterceptorService storageInterceptors, SlotIndexQueries queries, ChangeCounters counters,
			SasProperties properties) {
		this.storageInterceptors = storageInterceptors;
		this.queries = queries;
		this.counters = counters;
		long rows = properties.getSearch().getSlotIndexSize();
		this.enabled = rows > 0;
		this.bySchedule = Caffeine.newBuilder()
				.maximumWeight(Math.max(rows, 1))
				.weigher((Long schedule, ScheduleSlots slots) -> slots.rows().length + 1)
				.removalListener((Long schedule, ScheduleSlots slots, RemovalCause cause) -> {
					if (slots != null && cause.wasEvicted()) {
						keptSchedules.remove(slots.id(), schedule);
					}
				})
				.build();
	}

	@PostConstruct
	void listenToEveryWrite() {
		storageInterceptors.registerInterceptor(this);
	}

	/**
	 * The free slots of the schedules starting within the bounds, by start then resource id, each once. The
	 * schedules come with their FHIR ids and shared counters ({@link SlotIndexQueries#schedulesOf}): no query at
	 * all when every list kept is current.
	 */
	List<SlotRow> freeSlots(List<SlotIndexQueries.ScheduleVersion> schedules, Collection<String> schedulePaths,
			SearchBounds bounds) {
		if (!enabled) {
			return queries.freeSlots(schedules.stream().map(SlotIndexQueries.ScheduleVersion::schedule).toList(),
					schedulePaths, bounds);
		}
		long low = bounds.lowest().toEpochMilli();
		long high = bounds.highest().toEpochMilli();
		List<SlotRow> window = new ArrayList<>();
		for (ScheduleSlots slots : current(schedules, schedulePaths, schedules.size()).values()) {
			for (int i = firstAtOrAfter(slots.starts(), low); i < slots.starts().length && slots.starts()[i] <= high; i++) {
				window.add(slots.rows()[i]);
			}
		}
		return SlotIndexQueries.inStartOrder(window);
	}

	/** A schedule's free slots, sorted by start then resource id: the starts (epoch milliseconds) and the rows. */
	record Sorted(long[] starts, SlotRow[] rows) {

		/** The index of the first slot starting at or after {@code millis}. */
		int firstAtOrAfter(long millis) {
			return FreeSlotIndex.firstAtOrAfter(starts, millis);
		}
	}

	/**
	 * The free slots of each schedule, sorted, or empty when this index is off ({@code sas.search.slot-index-size=0}).
	 * The lists not kept are read {@code perRead} schedules at a time (one query for their slots, one for the slots'
	 * references each).
	 */
	Optional<List<Sorted>> sortedLists(List<SlotIndexQueries.ScheduleVersion> schedules,
			Collection<String> schedulePaths, int perRead) {
		if (!enabled) {
			return Optional.empty();
		}
		List<Sorted> lists = new ArrayList<>();
		for (ScheduleSlots slots : current(schedules, schedulePaths, perRead).values()) {
			if (slots.starts().length > 0) {
				lists.add(new Sorted(slots.starts(), slots.rows()));
			}
		}
		return Optional.of(lists);
	}

	/**
	 * The current lists of the schedules: those kept if no write changed them since (the counters read with the
	 * schedules), the others read from the index tables, {@code perRead} schedules per read.
	 */
	private Map<Long, ScheduleSlots> current(List<SlotIndexQueries.ScheduleVersion> schedules,
			Collection<String> schedulePaths, int perRead) {
		long everythingBefore = everything.get();
		Map<Long, ScheduleSlots> found = new HashMap<>();
		List<SlotIndexQueries.ScheduleVersion> missing = new ArrayList<>();
		Map<Long, Long> localBefore = new HashMap<>();
		for (SlotIndexQueries.ScheduleVersion schedule : schedules) {
			ScheduleSlots slots = bySchedule.getIfPresent(schedule.schedule());
			// What other nodes committed: a kept list made before their last write to its schedule is read again.
			if (slots != null && slots.isCurrent(schedule)) {
				found.put(schedule.schedule(), slots);
			} else {
				missing.add(schedule);
				localBefore.put(schedule.schedule(), counter(schedule.id()).get());
			}
		}
		for (int from = 0; from < missing.size(); from += Math.max(1, perRead)) {
			found.putAll(read(missing.subList(from, Math.min(missing.size(), from + Math.max(1, perRead))), localBefore,
					everythingBefore, schedulePaths));
		}
		return found;
	}

	/** How many of the schedules have no current list kept (each would be read by the next search naming it). */
	int notKept(List<SlotIndexQueries.ScheduleVersion> schedules) {
		int missing = 0;
		for (SlotIndexQueries.ScheduleVersion schedule : schedules) {
			ScheduleSlots slots = bySchedule.getIfPresent(schedule.schedule());
			if (slots == null || !slots.isCurrent(schedule)) {
				missing++;
			}
		}
		return missing;
	}

	/** Whether the schedule's free slots are kept (tests). */
	boolean keeps(String scheduleId) {
		Long schedule = keptSchedules.get(scheduleId);
		return schedule != null && bySchedule.getIfPresent(schedule) != null;
	}

	static String counterName(String scheduleId) {
		return "slots:Schedule/" + scheduleId;
	}

	private Map<Long, ScheduleSlots> read(List<SlotIndexQueries.ScheduleVersion> schedules, Map<Long, Long> before,
			long everythingBefore, Collection<String> schedulePaths) {
		List<SlotRow> all = queries.freeSlotsOf(schedules.stream().map(SlotIndexQueries.ScheduleVersion::schedule).toList(),
				schedulePaths);
		// Each slot's references come along, so the searches' includes from slots need no query either.
		Map<Long, List<SlotIndexQueries.PathLink>> links = all.isEmpty() ? Map.of()
				: queries.outgoingLinks(all.stream().map(SlotRow::slot).toList());
		Map<Long, List<SlotRow>> rows = new HashMap<>();
		for (SlotRow row : all) {
			rows.computeIfAbsent(row.schedule(), s -> new ArrayList<>())
					.add(row.withLinks(List.copyOf(links.getOrDefault(row.slot(), List.of()))));
		}
		Map<Long, ScheduleSlots> read = new HashMap<>();
		for (SlotIndexQueries.ScheduleVersion seen : schedules) {
			long schedule = seen.schedule();
			List<SlotRow> sorted = SlotIndexQueries.inStartOrder(rows.getOrDefault(schedule, List.of()));
			long[] starts = sorted.stream().mapToLong(r -> r.start().toEpochMilli()).toArray();
			String id = seen.id();
			ScheduleSlots slots = new ScheduleSlots(seen, starts, sorted.toArray(new SlotRow[0]));
			read.put(schedule, slots);
			// Kept only if no write to this schedule's slots (or expunge) happened on this node meanwhile; checked
			// again once kept, since a write may come between the check and the put. Writes of other nodes are
			// caught by the shared counters, read before the rows.
			if (id != null && unchanged(id, before.get(schedule), everythingBefore)) {
				keptSchedules.put(id, schedule);
				bySchedule.put(schedule, slots);
				if (!unchanged(id, before.get(schedule), everythingBefore)) {
					bySchedule.invalidate(schedule);
				}
			}
		}
		return read;
	}

	/** No write to the schedule's slots, nor an expunge, since the counters were read. */
	private boolean unchanged(String scheduleId, long scheduleBefore, long everythingBefore) {
		return counter(scheduleId).get() == scheduleBefore && everything.get() == everythingBefore;
	}

	static int firstAtOrAfter(long[] starts, long low) {
		int lo = 0;
		int hi = starts.length;
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (starts[mid] < low) {
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
		return lo;
	}

	private AtomicLong counter(String scheduleId) {
		return changes.computeIfAbsent(scheduleId == null ? "" : scheduleId, k -> new AtomicLong());
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		changed(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource oldResource, IBaseResource newResource) {
		changed(oldResource);
		changed(newResource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		changed(resource);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_EXPUNGE_EVERYTHING)
	public void expungedEverything() {
		counters.bumpNow(ALL_SLOTS);
		forgetAll();
		AfterCommit.run(this::forgetAll);
	}

	private void changed(IBaseResource resource) {
		if (!(resource instanceof Slot slot) || !slot.getSchedule().hasReference()) {
			return;
		}
		if (slot.getSchedule().getReference().startsWith("#")) {
			counters.bumpAtCommit(CONTAINED_SCHEDULES);
			return;
		}
		String scheduleId = slot.getSchedule().getReferenceElement().getIdPart();
		counters.bumpAtCommit(counterName(scheduleId));
		forget(scheduleId);
		ForgottenAgain again = PerTransaction.of(forgottenAgainKey, ForgottenAgain::new);
		if (again != null) {
			again.scheduleIds.add(scheduleId);
		}
	}

	/**
	 * The schedules a transaction changed, forgotten again once it has committed (a search between the write and the
	 * commit may have kept their old slots): one synchronization per transaction, not one per slot.
	 */
	private final class ForgottenAgain implements TransactionSynchronization {

		private final Set<String> scheduleIds = new HashSet<>();

		@Override
		public void afterCommit() {
			scheduleIds.forEach(FreeSlotIndex.this::forget);
		}
	}

	private void forget(String scheduleId) {
		counter(scheduleId).incrementAndGet();
		Long schedule = keptSchedules.remove(scheduleId);
		if (schedule != null) {
			bySchedule.invalidate(schedule);
		}
	}

	private void forgetAll() {
		everything.incrementAndGet();
		bySchedule.invalidateAll();
		keptSchedules.clear();
	}
}
