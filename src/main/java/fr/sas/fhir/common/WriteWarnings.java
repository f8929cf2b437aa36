package fr.sas.fhir.common;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.stereotype.Component;

/**
 * Warnings of an accepted write (profile validation, normalization rules): they never block and come back with
 * the answer, in the OperationOutcome when the client asked for one ({@code Prefer: return=OperationOutcome}),
 * and always in the {@code X-FHIR-Request-Validation} header (HAPI's convention for request validation results)
 * as a JSON OperationOutcome. A header has a size limit on every proxy, so a long outcome keeps as many whole
 * issues as fit and says how many were left out: the header is always valid JSON.
 */
@Component
@Interceptor
public class WriteWarnings implements LeavesSearchAnswersAlone {

	public static final String HEADER = "X-FHIR-Request-Validation";
	/** Request user-data key under which the warnings of accepted writes are collected for the response. */
	static final String KEY = WriteWarnings.class.getName();
	static final int MAX_HEADER = 4000;

	private final FhirContext fhirContext;

	public WriteWarnings(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	/** Adds warnings to those reported with the response to this request. */
	@SuppressWarnings("unchecked")
	public static void add(RequestDetails request, List<OperationOutcome.OperationOutcomeIssueComponent> issues) {
		if (request != null && !issues.isEmpty()) {
			((List<OperationOutcome.OperationOutcomeIssueComponent>)
							request.getUserData().computeIfAbsent(KEY, k -> new ArrayList<>()))
					.addAll(issues);
		}
	}

	/** The warnings collected so far for this request. */
	@SuppressWarnings("unchecked")
	public static List<OperationOutcome.OperationOutcomeIssueComponent> of(RequestDetails request) {
		Object collected = request.getUserData().get(KEY);
		return collected == null ? List.of() : List.copyOf((List<OperationOutcome.OperationOutcomeIssueComponent>) collected);
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void report(RequestDetails request, ResponseDetails response, HttpServletResponse servletResponse) {
		if (!(request.getUserData().get(KEY) instanceof List<?> warnings) || warnings.isEmpty()) {
			return;
		}
		OperationOutcome outcome = new OperationOutcome();
		warnings.forEach(w -> outcome.addIssue(((OperationOutcome.OperationOutcomeIssueComponent) w).copy()));
		if (response.getResponseResource() instanceof OperationOutcome returned) {
			outcome.getIssue().forEach(issue -> returned.addIssue(issue.copy()));
		}
		if (servletResponse != null) {
			servletResponse.addHeader(HEADER, headerValue(outcome));
		}
	}

	/**
	 * The outcome as JSON of at most {@link #MAX_HEADER} characters: whole issues, then a count of the rest. Each
	 * issue is encoded once, up to the first that does not fit: a transaction of thousands of entries, each with
	 * its warning, costs as much as the few that fit (re-encoding the outcome one issue shorter at a time was
	 * half the CPU of loading a directory).
	 */
	String headerValue(OperationOutcome outcome) {
		String json = encode(outcome.getIssue(), 0);
		if (json.length() <= MAX_HEADER) {
			return json;
		}
		int total = outcome.getIssue().size();
		int room = MAX_HEADER - encode(List.of(), total).length();
		int kept = 0;
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			// an issue's share: its JSON alone, less the empty outcome around it, plus a comma
			room -= encode(List.of(issue), 0).length() - EMPTY_LENGTH + 1;
			if (room < 0) {
				break;
			}
			kept++;
		}
		json = encode(outcome.getIssue().subList(0, kept), total - kept);
		while (json.length() > MAX_HEADER && kept > 0) { // never met when the shares add up; kept as a bound
			kept--;
			json = encode(outcome.getIssue().subList(0, kept), total - kept);
		}
		return json;
	}

	private static final int EMPTY_LENGTH = "{\"resourceType\":\"OperationOutcome\",\"issue\":[]}".length();

	/** An outcome of these issues and, when {@code leftOut} > 0, the note counting the others. */
	private String encode(List<OperationOutcome.OperationOutcomeIssueComponent> issues, int leftOut) {
		OperationOutcome outcome = new OperationOutcome();
		issues.forEach(issue -> outcome.addIssue(issue.copy()));
		if (leftOut > 0) {
			outcome.addIssue()
					.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
					.setCode(OperationOutcome.IssueType.TOOLONG)
					.setDiagnostics(leftOut + " more issue(s) left out of this header; ask for the "
							+ "OperationOutcome (Prefer: return=OperationOutcome) to see them all");
		}
		return fhirContext.newJsonParser().encodeResourceToString(outcome);
	}
}
