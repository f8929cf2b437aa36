package fr.sas.fhir.monitoring;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A small fixed latency histogram (ms) that sums across minutes and nodes: the rules' p95. */
final class Latencies {

	/** Upper bounds of the buckets, ms; a last bucket holds what is above. */
	static final long[] BOUNDS = {25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 7000,
			8000, 10000, 15000, 30000};

	private Latencies() {}

	static int bucket(long millis) {
		for (int i = 0; i < BOUNDS.length; i++) {
			if (millis <= BOUNDS[i]) {
				return i;
			}
		}
		return BOUNDS.length;
	}

	static String format(long[] counts) {
		return Arrays.stream(counts).mapToObj(Long::toString).collect(Collectors.joining(","));
	}

	static long[] parse(String text) {
		long[] counts = new long[BOUNDS.length + 1];
		if (text != null && !text.isEmpty()) {
			String[] parts = text.split(",");
			for (int i = 0; i < Math.min(parts.length, counts.length); i++) {
				counts[i] = Long.parseLong(parts[i]);
			}
		}
		return counts;
	}

	static long percentile(long[] counts, double share) {
		long total = Arrays.stream(counts).sum();
		if (total == 0) {
			return 0;
		}
		long rank = (long) Math.ceil(total * share);
		long seen = 0;
		for (int i = 0; i < counts.length; i++) {
			seen += counts[i];
			if (seen >= rank) {
				return i < BOUNDS.length ? BOUNDS[i] : BOUNDS[BOUNDS.length - 1] * 2;
			}
		}
		return BOUNDS[BOUNDS.length - 1] * 2;
	}
}
