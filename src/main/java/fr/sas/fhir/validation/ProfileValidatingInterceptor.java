package fr.sas.fhir.validation;

import fr.sas.fhir.common.SasProfiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import fr.sas.fhir.common.WriteRule;
import fr.sas.fhir.common.WriteWarnings;
import org.springframework.stereotype.Component;

/**
 * Validates every create and update of the guide's eight resource types at the storage layer, so single writes,
 * conditional updates and each transaction entry go through it before anything is stored. An error rejects the
 * write with 422 and an OperationOutcome listing every issue; in a transaction, nothing of it is stored.
 */
@Component
@Interceptor(order = WriteRule.PROFILE)
public class ProfileValidatingInterceptor extends WriteRule implements fr.sas.fhir.common.LeavesSearchAnswersAlone {

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
		WriteWarnings.add(request, verdict.issues());
	}
}
