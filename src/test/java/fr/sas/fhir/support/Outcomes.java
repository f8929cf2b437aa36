package fr.sas.fhir.support;

import org.hl7.fhir.r4.model.OperationOutcome;

/** Assertions helpers on the OperationOutcomes of refusals. */
public final class Outcomes {

	private Outcomes() {}

	/** A 422 whose OperationOutcome has an error of this rule at an expression starting with {@code expression}. */
	public static boolean refused(FhirHttp.Response response, String rule, String expression) {
		return response.status() == 422 && hasError(response.outcome(), rule, expression, null);
	}

	/** An error issue of the rule, at the expression (prefix), whose message contains {@code text} when given. */
	public static boolean hasError(OperationOutcome outcome, String rule, String expression, String text) {
		return outcome.getIssue().stream()
				.anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
						&& rule.equals(i.getDetails().getCodingFirstRep().getCode())
						&& i.getExpression().stream().anyMatch(e -> e.getValue().startsWith(expression))
						&& (text == null || i.getDiagnostics().contains(text)));
	}
}
