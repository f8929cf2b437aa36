package fr.sas.fhir.validation;

import fr.sas.fhir.common.SasProfiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.utilities.validation.ValidationMessage;
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
public class ProfileValidator implements fr.sas.fhir.common.ProfileCheck {

	private final FhirContext fhirContext;
	private final SasProfiles profiles;
	private final ReusableInstanceValidator core;
	private final SharedConformanceChanges conformanceChanges;

	/**
	 * Writes are validated by {@link ReusableInstanceValidator}; HAPI's own module, which answers {@code $validate},
	 * gets the same settings so both give the same verdict. Its default JPA policy advisor skips the profiles'
	 * invariants (FINESS, SIRET...): full validation replaces it; references are not resolved here (the store and
	 * the rules interceptors check them); best-practice hints are not reported.
	 */
	public ProfileValidator(
			FhirContext fhirContext,
			IInstanceValidatorModule instanceValidator,
			WorkerContextValidationSupportAdapter workerContext,
			SasProfiles profiles,
			VerdictMemo memo,
			SharedConformanceChanges conformanceChanges) {
		this.conformanceChanges = conformanceChanges;
		this.fhirContext = fhirContext;
		this.profiles = profiles;
		this.core = new ReusableInstanceValidator(fhirContext, workerContext, memo);
		FhirInstanceValidator module = (FhirInstanceValidator) instanceValidator;
		module.setValidatorPolicyAdvisor(
				new BasePolicyAdvisorForFullValidation(ReferenceValidationPolicy.IGNORE, Set.of()));
		module.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		module.setAnyExtensionsAllowed(true);
	}

	public Verdict validate(IBaseResource resource) {
		conformanceChanges.catchUp();
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
		issues.addAll(coreIssues(resource, null));
		return new Verdict(issues);
	}

	/** Validation against the given profile (or the declared ones when null), as the ANS validator does. */
	public Verdict validateAgainst(IBaseResource resource, String profile) {
		conformanceChanges.catchUp();
		return new Verdict(coreIssues(resource, profile));
	}

	@Override
	public List<OperationOutcome.OperationOutcomeIssueComponent> check(IBaseResource resource, String profile) {
		return validateAgainst(resource, profile).issues();
	}

	private List<OperationOutcome.OperationOutcomeIssueComponent> coreIssues(IBaseResource resource, String profile) {
		List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
		for (ValidationMessage message : core.validate(resource, profile)) {
			if (message.getLevel() != ValidationMessage.IssueSeverity.INFORMATION) {
				issues.add(toIssue(message));
			}
		}
		return issues;
	}

	private static OperationOutcome.OperationOutcomeIssueComponent toIssue(ValidationMessage message) {
		OperationOutcome.OperationOutcomeIssueComponent issue = new OperationOutcome.OperationOutcomeIssueComponent()
				.setSeverity(OperationOutcome.IssueSeverity.fromCode(message.getLevel().toCode()))
				.setCode(OperationOutcome.IssueType.PROCESSING)
				.setDiagnostics(message.getMessage());
		if (message.getLocation() != null) {
			issue.addExpression(message.getLocation());
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
