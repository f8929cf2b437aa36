package fr.sas.fhir.monitoring;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A publisher's slot writes over some clock hours, summed over every node's rows: accepted, refused by rule code
 * (most frequent first), and the last refusal's sample.
 */
record WriteFigures(long accepted, Map<String, Long> refusedByRule, Instant lastRefusalAt, String lastRefusalRule, String lastRefusal) {

	static WriteFigures of(List<WriteHour> accepted, List<RefusedWriteHour> refused) {
		Map<String, Long> byRule = refused.stream().collect(Collectors.groupingBy(RefusedWriteHour::getRule,
				Collectors.summingLong(RefusedWriteHour::getRefused)));
		Map<String, Long> sorted = new LinkedHashMap<>();
		byRule.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
				.forEach(e -> sorted.put(e.getKey(), e.getValue()));
		RefusedWriteHour last = refused.stream().max(Comparator.comparing(RefusedWriteHour::getLastAt)).orElse(null);
		return new WriteFigures(accepted.stream().mapToLong(WriteHour::getAccepted).sum(), sorted,
				last == null ? null : last.getLastAt(), last == null ? null : last.getRule(), last == null ? null : last.getSample());
	}

	long refused() {
		return refusedByRule.values().stream().mapToLong(Long::longValue).sum();
	}

	long total() {
		return accepted + refused();
	}

	double refusedRate() {
		return total() == 0 ? 0 : (double) refused() / total();
	}

	/** "SAS-profile 12, SAS-identity 3". */
	String byRule() {
		return refusedByRule.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
	}

	/** A publisher's figures since an instant, both counts flushed first: for {@code $status}. */
	static final class Reader {
		private final PushedWrites writes;
		private final RefusedWrites refusals;

		Reader(PushedWrites writes, RefusedWrites refusals) {
			this.writes = writes;
			this.refusals = refusals;
		}

		WriteFigures since(String publisher, Instant from) {
			writes.flush();
			refusals.flush();
			return of(writes.since(publisher, from), refusals.since(publisher, from));
		}
	}
}
