package fr.sas.fhir.security;

import ca.uhn.fhir.context.FhirContext;
import fr.sas.fhir.common.RuleViolations;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Refusals made before FHIR processing (no credentials, a credential this server does not accept, a client it
 * does not know): a FHIR OperationOutcome naming the rule, never a Spring error page.
 */
final class SecurityRefusals implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

	static final String AUTHENTICATION = "SAS-authentication";
	private final org.springframework.context.ApplicationEventPublisher events;

	SecurityRefusals(org.springframework.context.ApplicationEventPublisher events) {
		this.events = events;
	}
	static final String CLIENT = "SAS-client";
	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
			throws IOException {
		String why = failure == null || failure.getMessage() == null ? "" : " (" + failure.getMessage() + ")";
		response.setHeader("WWW-Authenticate", "Bearer");
		refuse(request, response, 401, AUTHENTICATION, "this request needs a registered client certificate or a bearer token" + why);
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
			throws IOException {
		refuse(request, response, 403, AUTHENTICATION, denied.getMessage());
	}

	/** Spring Security's firewall refused the request line (an encoded slash, a ';' in the path...). */
	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
			throws IOException {
		refuse(request, response, 400, "SAS-http-request", "the request was refused before FHIR processing: " + rejected.getMessage());
	}

	/** Answers the refusal and records it (the audit trail listens to {@link fr.sas.fhir.common.RequestRefused}). */
	void refuse(HttpServletRequest request, HttpServletResponse response, int status, String rule, String message)
			throws IOException {
		events.publishEvent(new fr.sas.fhir.common.RequestRefused(request.getMethod(), request.getRequestURI(),
				request.getRemoteAddr(), status, rule, message));
		write(response, status, rule, message);
	}

	static void write(HttpServletResponse response, int status, String rule, String message) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.resetBuffer();
		OperationOutcome outcome = RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
				switch (status) {
					case 401, 403 -> OperationOutcome.IssueType.SECURITY;
					case 429 -> OperationOutcome.IssueType.THROTTLED;
					default -> OperationOutcome.IssueType.INVALID;
				},
				null, rule, message));
		byte[] body = FHIR.newJsonParser().encodeResourceToString(outcome).getBytes(StandardCharsets.UTF_8);
		response.setStatus(status);
		response.setContentType("application/fhir+json;charset=UTF-8");
		response.setHeader("Cache-Control", "no-store");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		response.flushBuffer();
	}
}
