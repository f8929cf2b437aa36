package fr.sas.fhir.common;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A slot search the server cannot run as the guide defines it: 400 with an OperationOutcome whose issue names the
 * parameter in {@code expression} and the broken rule in {@code details} (same rule system as the write rules).
 */
public final class SearchRefusal {

	public static final String RULE = "SAS-search-parameter";

	private SearchRefusal() {}

	public static InvalidRequestException badParameter(String parameter, String message) {
		OperationOutcome outcome = RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
				OperationOutcome.IssueType.INVALID, parameter, RULE, parameter + ": " + message));
		return new InvalidRequestException(parameter + ": " + message, outcome);
	}
}
