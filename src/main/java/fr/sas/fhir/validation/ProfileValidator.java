package fr.sas.fhir.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.ReferenceValidationPolicy;
import org.hl7.fhir.validation.instance.advisor.BasePolicyAdvisorForFullValidation;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Validates a resource of a served type against the SAS profile it claims: first the claim itself (one of the
 * guide's profiles for its type must be in {@code meta.profile}), then the instance validator on HAPI's
 * validation support chain, which holds the installed profiles and terminology.
 */
@Component
public class ProfileValidator {

	private final FhirContext fhirContext;
	private final SasProfiles profiles;
	private final FhirValidator validator;

	/**
	 * Uses HAPI's own instance validator module, so that writes and {@code $validate} give the same verdict. Its
	 * default JPA policy advisor skips the profiles' invariants (FINESS, SIRET...): full validation replaces it;
	 * references are not resolved here (the rules interceptors check them), best-practice hints are not reported.
	 */
	public ProfileValidator(FhirContext fhirContext, IInstanceValidatorModule instanceValidator, SasProfiles profiles) {
		this.fhirContext = fhirContext;
		this.profiles = profiles;
		FhirInstanceValidator module = (FhirInstanceValidator) instanceValidator;
		module.setValidatorPolicyAdvisor(
				new BasePolicyAdvisorForFullValidation(ReferenceValidationPolicy.IGNORE, Set.of()));
		module.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		module.setAnyExtensionsAllowed(true);
		this.validator = fhirContext.newValidator().registerValidatorModule(module);
	}

	public Verdict validate(IBaseResource resource) {
		String type = fhirContext.getResourceType(resource);
		List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
		Set<String> accepted = profiles.forType(type);
		List<String> claimed = ((Resource) resource).getMeta().getProfile().stream()
				.map(CanonicalType::getValue)
				.map(url -> url.contains("|") ? url.substring(0, url.indexOf('|')) : url)
				.toList();
		if (claimed.stream().noneMatch(accepted::contains)) {
			issues.add(new OperationOutcome.OperationOutcomeIssueComponent()
					.setSeverity(OperationOutcome.IssueSeverity.ERROR)
					.setCode(OperationOutcome.IssueType.STRUCTURE)
					.addExpression(type + ".meta.profile")
					.setDiagnostics("SAS-profile-required: a " + type + " must claim in meta.profile one of the SAS "
							+ "profiles " + accepted + (claimed.isEmpty() ? " (none claimed)" : " (claimed: " + claimed + ")")));
			return new Verdict(issues);
		}
		ValidationResult result = validator.validateWithResult(resource);
		for (SingleValidationMessage message : result.getMessages()) {
			if (message.getSeverity() == ResultSeverityEnum.INFORMATION) {
				continue;
			}
			issues.add(toIssue(message));
		}
		return new Verdict(issues);
	}

	/** Validation against the given profile (or the declared ones when null), as the ANS validator does. */
	public Verdict validateAgainst(IBaseResource resource, String profile) {
		ValidationOptions options = new ValidationOptions();
		if (profile != null && !profile.isBlank()) {
			options.addProfile(profile);
		}
		List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
		for (SingleValidationMessage message : validator.validateWithResult(resource, options).getMessages()) {
			if (message.getSeverity() != ResultSeverityEnum.INFORMATION) {
				issues.add(toIssue(message));
			}
		}
		return new Verdict(issues);
	}

	private static OperationOutcome.OperationOutcomeIssueComponent toIssue(SingleValidationMessage message) {
		OperationOutcome.OperationOutcomeIssueComponent issue = new OperationOutcome.OperationOutcomeIssueComponent()
				.setSeverity(OperationOutcome.IssueSeverity.fromCode(message.getSeverity().getCode()))
				.setCode(OperationOutcome.IssueType.PROCESSING)
				.setDiagnostics(message.getMessage());
		if (message.getLocationString() != null) {
			issue.addExpression(message.getLocationString());
		}
		if (message.getMessageId() != null) {
			issue.getDetails().addCoding().setSystem("http://hl7.org/fhir/java-core-messageId").setCode(message.getMessageId());
		}
		return issue;
	}

	/** What the validator found: errors reject the write, warnings are reported. */
	public record Verdict(List<OperationOutcome.OperationOutcomeIssueComponent> issues) {

		public boolean hasErrors() {
			return issues.stream().anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
					|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL);
		}

		public OperationOutcome toOperationOutcome() {
			OperationOutcome outcome = new OperationOutcome();
			issues.forEach(i -> outcome.addIssue(i.copy()));
			return outcome;
		}
	}
}
