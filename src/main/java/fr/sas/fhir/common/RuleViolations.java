package fr.sas.fhir.rules;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;

/** Collects the business rules a resource breaks; refuses the write with 422 naming each element and rule. */
final class RuleViolations {

	static final String RULE_SYSTEM = "https://sas-fhir-server.example/rules";

	private final List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();

	void add(String expression, String rule, String message) {
		issues.add(issue(OperationOutcome.IssueSeverity.ERROR, expression, rule, message));
	}

	static OperationOutcome.OperationOutcomeIssueComponent issue(
			OperationOutcome.IssueSeverity severity, String expression, String rule, String message) {
		OperationOutcome.OperationOutcomeIssueComponent issue = new OperationOutcome.OperationOutcomeIssueComponent()
				.setSeverity(severity)
				.setCode(OperationOutcome.IssueType.BUSINESSRULE)
				.setDiagnostics(rule + ": " + message)
				.addExpression(expression);
		issue.getDetails().addCoding().setSystem(RULE_SYSTEM).setCode(rule);
		return issue;
	}

	void throwIfAny(FhirContext fhirContext) {
		if (!issues.isEmpty()) {
			OperationOutcome outcome = new OperationOutcome();
			issues.forEach(outcome::addIssue);
			throw new UnprocessableEntityException(fhirContext, outcome);
		}
	}
}
