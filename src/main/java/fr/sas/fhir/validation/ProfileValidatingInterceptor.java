package fr.sas.fhir.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import jakarta.servlet.http.HttpServletResponse;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import fr.sas.fhir.rules.WriteRule;
import org.springframework.stereotype.Component;

/**
 * Validates every create and update of the guide's eight resource types at the storage layer, so single writes,
 * conditional updates and each transaction entry go through it before anything is stored. An error rejects the
 * write with 422 and an OperationOutcome listing every issue; in a transaction, nothing of it is stored.
 */
@Component
@Interceptor(order = WriteRule.PROFILE)
public class ProfileValidatingInterceptor extends WriteRule implements fr.sas.fhir.config.LeavesSearchAnswersAlone {

	/** Request user-data key under which the warnings of accepted writes are collected for the response. */
	public static final String WARNINGS = ProfileValidatingInterceptor.class.getName() + ".warnings";

	public static final String HEADER = "X-FHIR-Request-Validation";
	private static final int MAX_HEADER = 4000;

	private final FhirContext fhirContext;
	private final ProfileValidator validator;
	private final SasProfiles profiles;

	public ProfileValidatingInterceptor(FhirContext fhirContext, ProfileValidator validator, SasProfiles profiles) {
		this.fhirContext = fhirContext;
		this.validator = validator;
		this.profiles = profiles;
	}

	/**
	 * On a create the server has assigned the id in a form the validator does not serialise; the guide requires
	 * an id on some types (HealthcareService), so the validator sees the resource with its plain id.
	 */
	private static IBaseResource withPlainId(IBaseResource resource) {
		if (!resource.getIdElement().hasIdPart() || !(resource instanceof Resource r)) {
			return resource;
		}
		Resource copy = r.copy();
		copy.setId(resource.getIdElement().getIdPart());
		return copy;
	}

	/** Warnings of an accepted write (validation, normalization rules), reported with the response. */
	@SuppressWarnings("unchecked")
	public static void addWarnings(
			RequestDetails request, java.util.List<OperationOutcome.OperationOutcomeIssueComponent> issues) {
		((java.util.List<OperationOutcome.OperationOutcomeIssueComponent>)
						request.getUserData().computeIfAbsent(WARNINGS, k -> new java.util.ArrayList<>()))
				.addAll(issues);
	}

	/**
	 * Warnings never block; they come back with the answer: in the OperationOutcome when the client asked for one
	 * ({@code Prefer: return=OperationOutcome}), and always in the {@code X-FHIR-Request-Validation} header
	 * (HAPI's convention for request validation results) as a JSON OperationOutcome.
	 */
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void reportWarnings(RequestDetails request, ResponseDetails response, HttpServletResponse servletResponse) {
		Object collected = request.getUserData().get(WARNINGS);
		if (!(collected instanceof java.util.List<?> warnings) || warnings.isEmpty()) {
			return;
		}
		OperationOutcome outcome = new OperationOutcome();
		warnings.forEach(w -> outcome.addIssue(((OperationOutcome.OperationOutcomeIssueComponent) w).copy()));
		if (response.getResponseResource() instanceof OperationOutcome returned) {
			outcome.getIssue().forEach(issue -> returned.addIssue(issue.copy()));
		}
		if (servletResponse != null) {
			String json = fhirContext.newJsonParser().encodeResourceToString(outcome);
			servletResponse.addHeader(HEADER, json.length() > MAX_HEADER ? json.substring(0, MAX_HEADER) : json);
		}
	}

	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!profiles.isGoverned(fhirContext.getResourceType(resource))) {
			return;
		}
		ProfileValidator.Verdict verdict = validator.validate(withPlainId(resource));
		if (verdict.hasErrors()) {
			OperationOutcome outcome = verdict.toOperationOutcome();
			String id = resource.getIdElement().hasIdPart() ? "/" + resource.getIdElement().getIdPart() : "";
			outcome.getIssue().forEach(issue -> issue.setDiagnostics(
					fhirContext.getResourceType(resource) + id + ": " + issue.getDiagnostics()));
			throw new UnprocessableEntityException(fhirContext, outcome);
		}
		if (request != null && !verdict.issues().isEmpty()) {
			addWarnings(request, verdict.issues());
		}
	}
}
