package fr.sas.fhir.acceptance;

/**
 * The verdict of one check.
 *
 * @param summary what was found (for a skipped check: why it was skipped)
 * @param request for a failure: the request that showed it (method and URL)
 * @param answer for a failure: the relevant part of the answer (an entry, an element, a status line)
 * @param expected for a failure: what the guide expects
 */
public record CheckResult(Check check, Verdict verdict, String summary, String request, String answer, String expected) {

	/** A failure of a blocking check: the acceptance fails. */
	public boolean blocks() {
		return verdict == Verdict.FAIL && check.blocking();
	}
}
