package fr.sas.fhir.validation;

import ca.uhn.fhir.context.FhirContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.validation.constants.ReferenceValidationPolicy;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.hl7.fhir.validation.instance.advisor.BasePolicyAdvisorForFullValidation;

/**
 * The core instance validator on HAPI's validation support chain, built once per thread. HAPI's
 * {@code FhirInstanceValidator} builds a new core validator for every resource, and that constructor reloads
 * the OID table: it dominated the cost of a validated write. This class keeps the same settings (full policy,
 * references not resolved, best-practice hints off, unknown profiles are errors) and drops the same message
 * HAPI's wrapper drops; {@code ProfileValidationTest} and {@code OfficialParityTest} guard the verdicts. Verdicts
 * go through the {@link VerdictMemo}, so resources that differ only in well-formed values no constraint reads
 * are validated once ({@code VerdictMemoTest} compares it with full validation).
 */
final class ReusableInstanceValidator {

	private static final String BINDING_NO_SOURCE = "Terminology_TX_Binding_NoSource";
	/**
	 * The core validator keeps every coding it has seen (its {@code CodingsObserver}, meant for one validation
	 * session), with the element tree around it: about 70 kB per validated resource. A thread's validator is
	 * therefore replaced after this many validations, which bounds that memory and keeps the construction cost
	 * (the OID table) negligible per resource.
	 */
	static final int VALIDATIONS_PER_VALIDATOR = 200;

	private final FhirContext fhirContext;
	private final IWorkerContext workerContext;
	private final ThreadLocal<Session> validators;
	private final VerdictMemo memo;

	/** A thread's validator and how many resources it has validated. */
	private static final class Session {
		final InstanceValidator validator;
		int uses;

		Session(InstanceValidator validator) {
			this.validator = validator;
		}
	}

	ReusableInstanceValidator(
			FhirContext fhirContext, WorkerContextValidationSupportAdapter workerContext, VerdictMemo memo) {
		this.fhirContext = fhirContext;
		this.workerContext = workerContext;
		this.memo = memo;
		this.validators = ThreadLocal.withInitial(() -> new Session(newValidator()));
	}

	private InstanceValidator newValidator() {
		InstanceValidator v = new InstanceValidator(
				workerContext, null, new XVerExtensionManagerOld(workerContext), new ValidatorSession(), new ValidatorSettings());
		v.setAssumeValidRestReferences(false);
		v.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
		v.setAnyExtensionsAllowed(true);
		v.setResourceIdRule(IdStatus.OPTIONAL);
		v.setNoTerminologyChecks(false);
		v.setErrorForUnknownProfiles(true);
		v.setPolicyAdvisor(new BasePolicyAdvisorForFullValidation(ReferenceValidationPolicy.IGNORE, Set.of()));
		v.setNoExtensibleWarnings(false);
		v.setNoBindingMsgSuppressed(false);
		v.setAllowExamples(true);
		return v;
	}

	/** Messages of every severity, against the profiles the resource claims plus {@code extraProfile}. */
	List<ValidationMessage> validate(IBaseResource resource, String extraProfile) {
		Set<String> urls = new LinkedHashSet<>();
		((Resource) resource).getMeta().getProfile().stream().map(CanonicalType::getValue).forEach(urls::add);
		if (extraProfile != null && !extraProfile.isBlank()) {
			urls.add(extraProfile);
		}
		byte[] json = fhirContext.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
		return validate(json, fhirContext.getResourceType(resource), urls);
	}

	/** Messages of every severity for a resource given as JSON, against the given profiles. */
	List<ValidationMessage> validate(byte[] json, String type, Set<String> urls) {
		List<ValidationMessage> messages = new ArrayList<>();
		List<StructureDefinition> profiles = new ArrayList<>();
		for (String url : urls) {
			StructureDefinition profile = workerContext.fetchResource(StructureDefinition.class, url);
			if (profile != null) {
				profiles.add(profile);
			} else {
				messages.add(new ValidationMessage()
						.setMessageId("Validation_VAL_Profile_Unknown")
						.setLevel(ValidationMessage.IssueSeverity.ERROR)
						.setLocation(type + ".meta.profile")
						.setMessage("Profile reference '" + url + "' has not been checked because it could not be found"));
			}
		}
		VerdictMemo.Key key = messages.isEmpty()
				? memo.keyOf(json, profiles, url -> workerContext.fetchResource(StructureDefinition.class, url))
				: null;
		List<ValidationMessage> remembered = key == null ? null : memo.get(key);
		if (remembered != null) {
			return remembered;
		}
		Session session = validators.get();
		if (++session.uses > VALIDATIONS_PER_VALIDATOR) {
			session = new Session(newValidator());
			session.uses = 1;
			validators.set(session);
		}
		session.validator.validate(null, messages, new ByteArrayInputStream(json), Manager.FhirFormat.JSON, profiles);
		messages.removeIf(m -> BINDING_NO_SOURCE.equals(m.getMessageId()));
		if (key != null) {
			memo.put(key, messages);
		}
		return messages;
	}
}
