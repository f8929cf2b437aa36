package fr.sas.fhir.aggregator;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What makes two slots of different sources (two publishers, or the store and a publisher) the same slot. The guide
 * gives a slot no identifier (its Slot profiles leave {@code Slot.identifier} out; {@code Slot.id} is each server's
 * own), and the publisher that pushed a slot to the store is not tied to an Endpoint of the registry: the same slot is
 * the same practitioner (by the national identifier asked: RPPS, or the SOS Médecins association's SIRET) at the same
 * start and end. A practitioner is at one place at a time, so two copies at the same times are one offer, whoever
 * holds them. The first source seen keeps it; the callers look at the publishers (by endpoint id) before the store.
 */
final class SameSlot {

	private final Set<String> seen = new HashSet<>();
	private final Set<String> starts = new HashSet<>();

	/** Whether a slot of these identifiers (as asked) at these times is new; if so it is remembered. */
	boolean first(Collection<String> identifiers, Instant start, Instant end) {
		List<String> keys = identifiers.stream().map(id -> id + "|" + start + "|" + end).toList();
		if (keys.stream().anyMatch(seen::contains)) {
			return false;
		}
		seen.addAll(keys);
		identifiers.forEach(id -> starts.add(id + "|" + start));
		return true;
	}

	/** Whether a slot of these identifiers starting then has been seen (its end not known yet: a first sieve). */
	boolean startSeen(Collection<String> identifiers, Instant start) {
		return identifiers.stream().anyMatch(id -> starts.contains(id + "|" + start));
	}

	/** Whether a slot of these identifiers at these times has been seen, without remembering it. */
	boolean seen(Collection<String> identifiers, Instant start, Instant end) {
		return identifiers.stream().anyMatch(id -> seen.contains(id + "|" + start + "|" + end));
	}
}
