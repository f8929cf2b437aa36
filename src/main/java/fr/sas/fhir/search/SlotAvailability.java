package fr.sas.fhir.search;

import fr.sas.fhir.search.SlotIndexQueries.SlotRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

	/** The candidates whose facts the rules need: started before now, or starting beyond the CPTS horizon. */
	static List<Long> edges(List<SlotRow> candidates, Instant now, Instant cptsHorizon) {
		return ids(candidates, row -> row.start().isBefore(now) || row.start().isAfter(cptsHorizon));
	}

	/** @param edges the stored slots of {@link #edges}; a slot missing there was deleted meanwhile */
	static List<SlotRow> offered(List<SlotRow> candidates, Instant now, Instant cptsHorizon,
			Map<Long, EncodedResources.Encoded> edges) {
		List<SlotRow> offered = new ArrayList<>(candidates.size());
		for (SlotRow row : candidates) {
			boolean started = row.start().isBefore(now);
			boolean beyond = row.start().isAfter(cptsHorizon);
			if (started || beyond) {
				EncodedResources.Encoded slot = edges.get(row.slot());
				if (slot == null
						|| (started && (slot.end() == null || slot.end().isBefore(now)))
						|| (beyond && slot.cpts())) {
					continue;
				}
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
