package fr.sas.fhir.search;

import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The search-side rules of the guide applied to candidate slots (free, in the requested start window): a slot
 * already ended is never offered, nor a CPTS slot starting beyond the CPTS window (INT_R04: only the next 48 hours
 * are exchanged). A slot starting inside [now, now + window] passes both without being read, so only the few
 * candidates at the edges cost a lookup.
 */
final class SlotAvailability {

	private SlotAvailability() {}

	/**
	 * @param cptsTagged which of the given slot ids carry the CPTS label
	 * @param endOf the end of each given slot (slots starting before now)
	 */
	static List<SlotRow> offered(List<SlotRow> candidates, Instant now, Instant cptsHorizon,
			Function<Collection<Long>, Set<Long>> cptsTagged, Function<Collection<Long>, Map<Long, Instant>> endOf) {
		List<Long> started = ids(candidates, row -> row.start().isBefore(now));
		List<Long> beyond = ids(candidates, row -> row.start().isAfter(cptsHorizon));
		Map<Long, Instant> ends = started.isEmpty() ? Map.of() : endOf.apply(started);
		Set<Long> cpts = beyond.isEmpty() ? Set.of() : cptsTagged.apply(beyond);
		List<SlotRow> offered = new ArrayList<>(candidates.size());
		for (SlotRow row : candidates) {
			if (row.start().isBefore(now)) {
				Instant end = ends.get(row.slot());
				if (end == null || end.isBefore(now)) {
					continue;
				}
			}
			if (row.start().isAfter(cptsHorizon) && cpts.contains(row.slot())) {
				continue;
			}
			offered.add(row);
		}
		return offered;
	}

	/** Slots grouped by schedule, schedules in the order of their first offered slot. */
	static Map<Long, List<SlotRow>> bySchedule(List<SlotRow> offered) {
		return offered.stream().collect(Collectors.groupingBy(SlotRow::schedule, LinkedHashMap::new, Collectors.toList()));
	}

	private static List<Long> ids(List<SlotRow> rows, Predicate<SlotRow> filter) {
		return rows.stream().filter(filter).map(SlotRow::slot).toList();
	}
}
