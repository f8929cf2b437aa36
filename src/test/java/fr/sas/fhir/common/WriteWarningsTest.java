package fr.sas.fhir.common;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;

/** The {@code X-FHIR-Request-Validation} header stays valid JSON whatever the number of warnings. */
class WriteWarningsTest {

	private final WriteWarnings warnings = new WriteWarnings(FhirHttp.CTX);

	private static OperationOutcome withWarnings(int count) {
		OperationOutcome outcome = new OperationOutcome();
		for (int i = 0; i < count; i++) {
			outcome.addIssue(RuleViolations.issue(OperationOutcome.IssueSeverity.WARNING, "Slot.comment", "SAS-test",
					"warning number " + i + " with some words to make it long enough to matter"));
		}
		return outcome;
	}

	@Test
	void aShortOutcomeIsSentWhole() {
		String header = warnings.headerValue(withWarnings(3));
		assertThat(((OperationOutcome) FhirHttp.CTX.newJsonParser().parseResource(header)).getIssue()).hasSize(3);
	}

	@Test
	void aLongOutcomeKeepsWholeIssuesAndSaysHowManyWereLeftOut() {
		String header = warnings.headerValue(withWarnings(200));
		assertThat(header.length()).isLessThanOrEqualTo(WriteWarnings.MAX_HEADER);
		OperationOutcome parsed = (OperationOutcome) FhirHttp.CTX.newJsonParser().parseResource(header);
		OperationOutcome.OperationOutcomeIssueComponent last = parsed.getIssue().get(parsed.getIssue().size() - 1);
		int kept = parsed.getIssue().size() - 1;
		assertThat(kept).isPositive();
		assertThat(parsed.getIssue().subList(0, kept)).allMatch(i -> i.getDiagnostics().startsWith("SAS-test: warning number"));
		assertThat(last.getCode()).isEqualTo(OperationOutcome.IssueType.TOOLONG);
		assertThat(last.getDiagnostics()).startsWith((200 - kept) + " more issue(s) left out");

		// As many as fit: one more whole issue would not.
		OperationOutcome oneMore = new OperationOutcome();
		withWarnings(200).getIssue().subList(0, kept + 1).forEach(oneMore::addIssue);
		oneMore.addIssue(last.copy().setDiagnostics((200 - kept - 1) + last.getDiagnostics().substring(String.valueOf(200 - kept).length())));
		assertThat(FhirHttp.CTX.newJsonParser().encodeResourceToString(oneMore).length()).isGreaterThan(WriteWarnings.MAX_HEADER);
	}

	@Test
	void thousandsOfWarningsAreCutAsFewAreFitted() {
		String header = warnings.headerValue(withWarnings(5000));
		OperationOutcome parsed = (OperationOutcome) FhirHttp.CTX.newJsonParser().parseResource(header);
		assertThat(header.length()).isLessThanOrEqualTo(WriteWarnings.MAX_HEADER);
		assertThat(parsed.getIssue().get(parsed.getIssue().size() - 1).getDiagnostics())
				.startsWith((5000 - parsed.getIssue().size() + 1) + " more issue(s) left out");
	}
}
