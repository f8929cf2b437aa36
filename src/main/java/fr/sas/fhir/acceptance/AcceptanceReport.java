package fr.sas.fhir.acceptance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A whole run: which endpoint, when, how long, how many requests, every check's verdict, and the answer times.
 *
 * @param timings figures of the answer times, in ms ({@code p50}, {@code p95}, {@code max}, {@code count})
 */
public record AcceptanceReport(String endpoint, List<String> useCases, Instant startedAt, Duration duration, int requests,
		List<CheckResult> results, Map<String, Long> timings) {

	public long count(Verdict verdict) {
		return results.stream().filter(r -> r.verdict() == verdict).count();
	}

	public long blockingFailures() {
		return results.stream().filter(CheckResult::blocks).count();
	}

	/** Every blocking check passed (or was skipped): the command's exit code 0. */
	public boolean accepted() {
		return blockingFailures() == 0;
	}
}
