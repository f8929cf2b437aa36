package fr.sas.fhir.contextual;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import fr.sas.fhir.common.RuleViolations;
import org.hl7.fhir.r4.model.OperationOutcome;

/** A contextual search the server cannot run: 400 (403 for an origin) naming the parameter and the rule. */
final class ContextualRefusal {

	static final String PARAMETER = "SAS-contextual-parameter";
	static final String ORIGIN = "SAS-contextual-origin";

	private ContextualRefusal() {}

	static InvalidRequestException badParameter(String message, String... parameters) {
		OperationOutcome.OperationOutcomeIssueComponent issue = RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
				OperationOutcome.IssueType.INVALID, parameters[0], PARAMETER, String.join(", ", parameters) + ": " + message);
		for (int i = 1; i < parameters.length; i++) {
			issue.addExpression(parameters[i]);
		}
		return new InvalidRequestException(issue.getDiagnostics(), RuleViolations.outcome(issue));
	}

	static ForbiddenOperationException unknownOrigin(String origin) {
		return new ForbiddenOperationException(ORIGIN, RuleViolations.outcome(RuleViolations.issue(
				OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.FORBIDDEN, "origin", ORIGIN,
				"origin: '" + origin + "' is not a regulation software (LRM) this server knows (sas.contextual.origins)")));
	}
}
