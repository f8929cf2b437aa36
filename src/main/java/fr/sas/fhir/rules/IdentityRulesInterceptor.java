package fr.sas.fhir.rules;

import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.WriteRule;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.ServedResourceTypes;
import fr.sas.fhir.common.WriteWarnings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import fr.sas.fhir.common.SasCodes;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Identity rules of the guide's FAQ, on every write of the served business types, before profile validation:
 * national identifiers (IDNPS, IDNST) carry their type prefix, phone numbers are {@code +33XXXXXXXXX} (or the
 * E.164 form of an overseas territory, see {@link PhoneNumbers}), and a code-system URL as some pages print it
 * (TRE_R66 in FAQ item 6 and on the CPTS page) is the code system's canonical URL.
 * Strict by default: a wrong form is refused (422) and the message gives the corrected value when there is one.
 * With {@code sas.rules.normalize-identifiers=true} the corrected value is stored and a warning returned.
 */
@Component
@Interceptor(order = WriteRule.IDENTITY)
public class IdentityRulesInterceptor extends WriteRule {

	private final FhirContext fhirContext;
	private final boolean normalize;

	public IdentityRulesInterceptor(FhirContext fhirContext, SasProperties properties) {
		this.fhirContext = fhirContext;
		this.normalize = properties.getRules().isNormalizeIdentifiers();
	}

	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Resource r) || !ServedResourceTypes.BUSINESS.contains(r.fhirType())) {
			return;
		}
		RuleViolations violations = new RuleViolations();
		List<OperationOutcome.OperationOutcomeIssueComponent> warnings = new ArrayList<>();
		ElementWalker.forEach(r, Identifier.class, (path, identifier) -> {
			String system = identifier.getSystem();
			String value = identifier.getValue();
			if (!NationalIdentifiers.isNational(system) || NationalIdentifiers.isWellFormed(system, value)) {
				return;
			}
			Optional<String> prefixed = NationalIdentifiers.prefixed(system, value);
			if (prefixed.isEmpty()) {
				violations.add(path + ".value", "SAS-identifier-format", "'" + value + "' is not a national identifier of "
						+ system + " (" + NationalIdentifiers.expectedForms(system) + ")");
			} else if (normalize) {
				identifier.setValue(prefixed.get());
				warnings.add(RuleViolations.issue(OperationOutcome.IssueSeverity.WARNING, path + ".value",
						"SAS-identifier-prefix", "'" + value + "' stored with its type prefix as '" + prefixed.get() + "'"));
			} else {
				violations.add(path + ".value", "SAS-identifier-prefix", "'" + value + "' lacks its type prefix ("
						+ NationalIdentifiers.expectedForms(system) + "); send '" + prefixed.get() + "'");
			}
		});
		ElementWalker.forEach(r, ContactPoint.class, (path, telecom) -> {
			if (telecom.getSystem() != ContactPoint.ContactPointSystem.PHONE
					|| PhoneNumbers.isWellFormed(telecom.getValue())) {
				return;
			}
			String value = telecom.getValue();
			Optional<String> corrected = PhoneNumbers.corrected(value);
			if (corrected.isPresent() && normalize) {
				telecom.setValue(corrected.get());
				warnings.add(RuleViolations.issue(OperationOutcome.IssueSeverity.WARNING, path + ".value",
						"SAS-phone-format", "'" + value + "' stored as '" + corrected.get() + "'"));
			} else {
				violations.add(path + ".value", "SAS-phone-format", "'" + value + "' is not in the international form ("
						+ PhoneNumbers.expectedForms() + ")"
						+ corrected.map(c -> "; send '" + c + "'").orElse(""));
			}
		});
		ElementWalker.forEach(r, Coding.class, (path, coding) -> {
			String canonical = SasCodes.PRINTED_SYSTEMS.get(coding.getSystem());
			if (canonical == null) {
				return;
			}
			String printed = coding.getSystem();
			if (normalize) {
				coding.setSystem(canonical);
				warnings.add(RuleViolations.issue(OperationOutcome.IssueSeverity.WARNING, path + ".system",
						"SAS-code-system-url", "'" + printed + "' stored as '" + canonical + "'"));
			} else {
				violations.add(path + ".system", "SAS-code-system-url", "'" + printed + "' is how a page of the guide "
						+ "prints this code system, not its URL; send '" + canonical + "'");
			}
		});
		violations.throwIfAny(fhirContext);
		WriteWarnings.add(request, warnings);
	}
}
