package fr.sas.fhir.common;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The server's rule codes and how a refusal names them: every issue a rule raises carries its code in
 * {@code details.coding} (system {@link #RULE_SYSTEM}), the element or parameter in {@code expression}, and
 * "code: message" in {@code diagnostics}. An instance collects the rules a resource breaks and refuses the
 * write with 422 naming each of them.
 */
public final class RuleViolations {

	public static final String RULE_SYSTEM = "https://sas-fhir-server.example/rules";

	private final List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();

	public void add(String expression, String rule, String message) {
		issues.add(issue(OperationOutcome.IssueSeverity.ERROR, expression, rule, message));
	}

	public static OperationOutcome.OperationOutcomeIssueComponent issue(
			OperationOutcome.IssueSeverity severity, String expression, String rule, String message) {
		return issue(severity, OperationOutcome.IssueType.BUSINESSRULE, expression, rule, message);
	}

	public static OperationOutcome.OperationOutcomeIssueComponent issue(OperationOutcome.IssueSeverity severity,
			OperationOutcome.IssueType type, String expression, String rule, String message) {
		OperationOutcome.OperationOutcomeIssueComponent issue = new OperationOutcome.OperationOutcomeIssueComponent()
				.setSeverity(severity)
				.setCode(type)
				.setDiagnostics(rule + ": " + message);
		if (expression != null) {
			issue.addExpression(expression);
		}
		issue.getDetails().addCoding().setSystem(RULE_SYSTEM).setCode(rule);
		return issue;
	}

	/** An OperationOutcome holding one issue. */
	public static OperationOutcome outcome(OperationOutcome.OperationOutcomeIssueComponent issue) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue(issue);
		return outcome;
	}

	public void throwIfAny(FhirContext fhirContext) {
		if (!issues.isEmpty()) {
			OperationOutcome outcome = new OperationOutcome();
			issues.forEach(outcome::addIssue);
			throw new UnprocessableEntityException(fhirContext, outcome);
		}
	}
}
