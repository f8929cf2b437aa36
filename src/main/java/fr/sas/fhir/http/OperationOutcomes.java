package fr.sas.fhir.http;

import ca.uhn.fhir.context.FhirContext;
import fr.sas.fhir.common.RuleViolations;
import org.hl7.fhir.r4.model.OperationOutcome;

/** The FHIR OperationOutcome the HTTP layer answers with, for what is refused before FHIR processing. */
final class OperationOutcomes {

	static final String CONTENT_TYPE = "application/fhir+json;charset=UTF-8";
	/** Rule code of a request refused by the HTTP layer (malformed, too large, method or path unknown). */
	static final String RULE = "SAS-http-request";
	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private OperationOutcomes() {}

	/** One error issue naming the rule, the message and, when known, where the request went wrong. */
	static String json(int status, String message, String expression) {
		OperationOutcome outcome = RuleViolations.outcome(RuleViolations.issue(
				OperationOutcome.IssueSeverity.ERROR, issueType(status), expression, RULE, message));
		return FHIR.newJsonParser().encodeResourceToString(outcome);
	}

	private static OperationOutcome.IssueType issueType(int status) {
		return switch (status) {
			case 401, 403 -> OperationOutcome.IssueType.SECURITY;
			case 404 -> OperationOutcome.IssueType.NOTFOUND;
			case 405, 406, 415, 501 -> OperationOutcome.IssueType.NOTSUPPORTED;
			case 408 -> OperationOutcome.IssueType.TIMEOUT;
			case 413 -> OperationOutcome.IssueType.TOOLONG;
			case 429 -> OperationOutcome.IssueType.THROTTLED;
			default -> status >= 500 ? OperationOutcome.IssueType.EXCEPTION : OperationOutcome.IssueType.INVALID;
		};
	}
}
