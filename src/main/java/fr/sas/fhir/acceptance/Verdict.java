package fr.sas.fhir.acceptance;

/** What a check found: passed, failed, a warning (not conforming to a recommendation or a non-blocking bar), skipped. */
public enum Verdict {
	PASS, FAIL, WARNING, SKIPPED;

	public String code() {
		return name().toLowerCase();
	}
}
