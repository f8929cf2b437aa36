package fr.sas.fhir.search;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import fr.sas.fhir.common.AfterCommit;
import fr.sas.fhir.common.ChangeCounters;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import jakarta.annotation.PostConstruct;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.stereotype.Component;

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
	 * A schedule's free slots, sorted by start then resource id, with the shared counters (its own and
	 * {@link #ALL_SLOTS}) read before them.
	 */
	private record ScheduleSlots(String id, long[] starts, SlotRow[] rows, long sharedVersion, long sharedEverything) {

		boolean isCurrent(Map<String, Long> shared) {
			Long version = shared.get(counterName(id));
			Long all = shared.get(ALL_SLOTS);
			return version != null && version == sharedVersion && all != null && all == sharedEverything;
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
		List<Long> pids = schedules.stream().map(SlotIndexQueries.ScheduleVersion::schedule).toList();
		if (!enabled) {
			return queries.freeSlots(pids, schedulePaths, bounds);
		}
		Map<Long, String> ids = new HashMap<>();
		Map<String, Long> shared = new HashMap<>();
		for (SlotIndexQueries.ScheduleVersion schedule : schedules) {
			ids.put(schedule.schedule(), schedule.id());
			shared.put(counterName(schedule.id()), schedule.version());
			shared.put(ALL_SLOTS, schedule.everything());
		}
		return freeSlots(pids, ids, shared, schedulePaths, bounds);
	}

	/** {@code shared}: the counters of the schedules (by name) and of {@link #ALL_SLOTS}, read with them. */
	private List<SlotRow> freeSlots(Collection<Long> schedules, Map<Long, String> knownIds, Map<String, Long> shared,
			Collection<String> schedulePaths, SearchBounds bounds) {
		Map<Long, ScheduleSlots> found = new HashMap<>();
		Map<Long, String> ids = new HashMap<>();
		List<Long> missing = new ArrayList<>();
		for (Long schedule : schedules) {
			ScheduleSlots slots = bySchedule.getIfPresent(schedule);
			if (slots == null) {
				missing.add(schedule);
			} else {
				found.put(schedule, slots);
				ids.put(schedule, slots.id());
			}
		}
		long everythingBefore = everything.get();
		missing.forEach(schedule -> ids.put(schedule, knownIds.get(schedule)));
		Map<Long, Long> localBefore = new HashMap<>();
		for (Long schedule : missing) {
			localBefore.put(schedule, counter(ids.get(schedule)).get());
		}
		// What other nodes committed: a kept list made before their last write to its schedule is read again.
		for (Map.Entry<Long, ScheduleSlots> kept : List.copyOf(found.entrySet())) {
			if (!kept.getValue().isCurrent(shared)) {
				found.remove(kept.getKey());
				missing.add(kept.getKey());
				localBefore.put(kept.getKey(), counter(kept.getValue().id()).get());
			}
		}
		if (!missing.isEmpty()) {
			found.putAll(read(missing, ids, localBefore, everythingBefore, shared, schedulePaths));
		}
		long low = bounds.lowest().toEpochMilli();
		long high = bounds.highest().toEpochMilli();
		List<SlotRow> window = new ArrayList<>();
		for (ScheduleSlots slots : found.values()) {
			for (int i = firstAtOrAfter(slots.starts(), low); i < slots.starts().length && slots.starts()[i] <= high; i++) {
				window.add(slots.rows()[i]);
			}
		}
		return SlotIndexQueries.inStartOrder(window);
	}

	static String counterName(String scheduleId) {
		return "slots:Schedule/" + scheduleId;
	}

	private Map<Long, ScheduleSlots> read(List<Long> schedules, Map<Long, String> ids, Map<Long, Long> before,
			long everythingBefore, Map<String, Long> shared, Collection<String> schedulePaths) {
		List<SlotRow> all = queries.freeSlotsOf(schedules, schedulePaths);
		// Each slot's references come along, so the searches' includes from slots need no query either.
		Map<Long, List<SlotIndexQueries.PathLink>> links = all.isEmpty() ? Map.of()
				: queries.outgoingLinks(all.stream().map(SlotRow::slot).toList());
		Map<Long, List<SlotRow>> rows = new HashMap<>();
		for (SlotRow row : all) {
			rows.computeIfAbsent(row.schedule(), s -> new ArrayList<>())
					.add(row.withLinks(List.copyOf(links.getOrDefault(row.slot(), List.of()))));
		}
		Map<Long, ScheduleSlots> read = new HashMap<>();
		for (Long schedule : schedules) {
			List<SlotRow> sorted = SlotIndexQueries.inStartOrder(rows.getOrDefault(schedule, List.of()));
			long[] starts = sorted.stream().mapToLong(r -> r.start().toEpochMilli()).toArray();
			String id = ids.get(schedule);
			Long version = id == null ? null : shared.get(counterName(id));
			ScheduleSlots slots = new ScheduleSlots(id, starts, sorted.toArray(new SlotRow[0]),
					version == null ? -1 : version, shared.getOrDefault(ALL_SLOTS, -1L));
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

	private static int firstAtOrAfter(long[] starts, long low) {
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
		String scheduleId = slot.getSchedule().getReferenceElement().getIdPart();
		counters.bumpAtCommit(counterName(scheduleId));
		forget(scheduleId);
		AfterCommit.run(() -> forget(scheduleId));
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
