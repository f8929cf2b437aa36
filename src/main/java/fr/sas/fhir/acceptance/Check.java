package fr.sas.fhir.acceptance;

/**
 * One check of the connected acceptance: what it verifies, where the guide asks for it (page and section, or the
 * FAQ item), and whether a failure blocks the acceptance (the command's exit code, the "PV").
 *
 * @param id stable identifier, used in every report ({@code search.individual.window}, {@code faq.phone-format})
 * @param title what is checked, for people
 * @param source the guide's page and section, or the FAQ item, it comes from
 * @param blocking whether a failure fails the acceptance; a non-blocking failure is reported as a warning
 */
public record Check(String id, String title, String source, boolean blocking) {

	public CheckResult pass(String summary) {
		return new CheckResult(this, Verdict.PASS, summary, null, null, null);
	}

	/** A failure (a warning when the check is not blocking), with the request, the relevant part of the answer, the expectation. */
	public CheckResult fail(String summary, String request, String answer, String expected) {
		return new CheckResult(this, blocking ? Verdict.FAIL : Verdict.WARNING, summary, request, answer, expected);
	}

	public CheckResult warn(String summary, String request, String answer, String expected) {
		return new CheckResult(this, Verdict.WARNING, summary, request, answer, expected);
	}

	public CheckResult skip(String why) {
		return new CheckResult(this, Verdict.SKIPPED, why, null, null, null);
	}
}
