package fr.sas.fhir.rules;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.SasCodes;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.WriteRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.stereotype.Component;

/**
 * CPTS slots (INT_R04, {@code specifications_techniques-cpts-recherche_creneaux.md}, FAQ item 11):
 * a slot tagged CPTS carries at least one TRE_R66 604 serviceType whose R5 extension references the CPTS
 * HealthcareService; each referenced service exists (in the store or the same transaction) and is provided by
 * an Organization identified by a FINESS; a service reference requires the CPTS tag; and CPTS slots are
 * exchanged only for the next 48 hours (configurable), on the server's clock.
 */
@Component
@Interceptor(order = WriteRule.BUSINESS)
public class CptsRulesInterceptor extends WriteRule {


	private final FhirContext fhirContext;
	private final ReferencedResources references;
	private final Clock clock;
	private final Duration window;

	public CptsRulesInterceptor(
			FhirContext fhirContext, ReferencedResources references, Clock clock, SasProperties properties) {
		this.fhirContext = fhirContext;
		this.references = references;
		this.clock = clock;
		this.window = properties.getRules().getCptsWindow();
	}

	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Slot slot)) {
			return;
		}
		RuleViolations violations = new RuleViolations();
		boolean cpts = SasCodes.isCpts(slot);
		boolean hasCptsService = false;
		List<CodeableConcept> serviceTypes = slot.getServiceType();
		for (int i = 0; i < serviceTypes.size(); i++) {
			CodeableConcept serviceType = serviceTypes.get(i);
			String path = "Slot.serviceType[" + i + "]";
			List<Extension> serviceRefs = serviceType.getExtensionsByUrl(SasCodes.SLOT_SERVICE_TYPE);
			boolean is604 = serviceType.getCoding().stream()
					.anyMatch(c -> SasCodes.TRE_R66.equals(c.getSystem()) && "604".equals(c.getCode()));
			if (serviceRefs.isEmpty()) {
				continue;
			}
			if (!cpts) {
				violations.add(path, "SAS-cpts-tag", "a serviceType referencing a CPTS HealthcareService needs the "
						+ "CPTS code in Slot.meta.security (" + SasCodes.TYPE_CRENEAU + ")");
			}
			if (is604) {
				hasCptsService = true;
			}
			for (Extension ext : serviceRefs) {
				checkService(ext, path + ".extension", request, violations);
			}
		}
		if (cpts && !hasCptsService) {
			violations.add("Slot.serviceType", "SAS-cpts-service", "a CPTS slot needs a serviceType coded TRE_R66 604 "
					+ "whose extension " + SasCodes.SLOT_SERVICE_TYPE + " references the CPTS HealthcareService");
		}
		if (cpts) {
			checkWindow(slot, violations);
		}
		violations.throwIfAny(fhirContext);
	}

	private void checkService(Extension ext, String path, RequestDetails request, RuleViolations violations) {
		if (!(ext.getValue() instanceof Reference reference) || !reference.hasReference()) {
			violations.add(path, "SAS-cpts-service", "the extension must reference a HealthcareService");
			return;
		}
		Optional<Resource> service = references.find(reference, request);
		if (service.isEmpty() || !(service.get() instanceof HealthcareService hs)) {
			violations.add(path, "SAS-cpts-service", "HealthcareService '" + reference.getReference()
					+ "' is neither stored nor in this transaction");
			return;
		}
		Optional<Resource> organization = references.find(hs.getProvidedBy(), request);
		boolean finess = organization.filter(o -> o instanceof Organization).map(o -> (Organization) o)
				.map(o -> o.getIdentifier().stream().anyMatch(CptsRulesInterceptor::isFiness))
				.orElse(false);
		if (!finess) {
			violations.add(path, "SAS-cpts-finess", "HealthcareService '" + reference.getReference() + "' must be "
					+ "provided by an Organization identified by a FINESS (system " + NationalIdentifiers.IDNST_SYSTEM
					+ ", 1 + 9 digits)");
		}
	}

	private static boolean isFiness(Identifier identifier) {
		return NationalIdentifiers.IDNST_SYSTEM.equals(identifier.getSystem())
				&& identifier.getValue() != null && identifier.getValue().matches("^1\\d{9}$");
	}

	private void checkWindow(Slot slot, RuleViolations violations) {
		Instant now = clock.instant();
		Instant limit = now.plus(window);
		if (slot.hasStart() && slot.getStart().toInstant().isAfter(limit)) {
			violations.add("Slot.start", "SAS-cpts-window", "CPTS slots are exchanged for the next " + window.toHours()
					+ " hours only: start " + slot.getStartElement().getValueAsString() + " is after " + limit);
		}
		if (slot.hasEnd() && slot.getEnd().toInstant().isBefore(now)) {
			violations.add("Slot.end", "SAS-cpts-window", "this CPTS slot ended at "
					+ slot.getEndElement().getValueAsString() + ", before now (" + now + ")");
		}
	}
}
