package fr.sas.fhir.search;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A slot search the server cannot run as the guide defines it: 400 with an OperationOutcome whose issue names the
 * parameter in {@code expression} and the broken rule in {@code details} (same rule system as the write rules).
 */
final class SearchRefusal {

	static final String RULE = "SAS-search-parameter";
	private static final String RULE_SYSTEM = "https://sas-fhir-server.example/rules";

	private SearchRefusal() {}

	static InvalidRequestException badParameter(String parameter, String message) {
		OperationOutcome outcome = new OperationOutcome();
		OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.INVALID)
				.setDiagnostics(parameter + ": " + message)
				.addExpression(parameter);
		issue.getDetails().addCoding().setSystem(RULE_SYSTEM).setCode(RULE);
		return new InvalidRequestException(parameter + ": " + message, outcome);
	}
}
