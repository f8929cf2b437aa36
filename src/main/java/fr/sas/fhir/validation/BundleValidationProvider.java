package fr.sas.fhir.validation;

import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Validate;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.ValidationModeEnum;
import ca.uhn.fhir.rest.server.IResourceProvider;
import fr.sas.fhir.common.FhirOperationProvider;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.stereotype.Component;

/**
 * {@code POST /fhir/Bundle/$validate?profile=...}: a publisher checks its own search answers against
 * {@code BundleAgregateur}, {@code sas-cpts-bundle-aggregator} or {@code sas-sos-bundle-aggregator}, as the ANS
 * validator does. Bundles are not stored: this is the only Bundle interaction the server offers.
 */
@Component
public class BundleValidationProvider implements IResourceProvider, FhirOperationProvider {

	private final ProfileValidator validator;

	public BundleValidationProvider(ProfileValidator validator) {
		this.validator = validator;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return Bundle.class;
	}

	@Validate
	public MethodOutcome validate(
			@ResourceParam Bundle bundle, @Validate.Mode ValidationModeEnum mode, @Validate.Profile String profile) {
		OperationOutcome outcome = validator.validateAgainst(bundle, profile).toOperationOutcome();
		if (outcome.getIssue().isEmpty()) {
			outcome.addIssue()
					.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
					.setCode(OperationOutcome.IssueType.INFORMATIONAL)
					.setDiagnostics("No issues detected during validation");
		}
		return new MethodOutcome().setOperationOutcome(outcome);
	}
}
