package fr.sas.fhir.rules;

import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.WriteRule;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.springframework.stereotype.Component;

/**
 * SOS Médecins (specifications_techniques-sos-recherche_creneaux.md): a fixed consultation place is managed by
 * an SOS Médecins association identified by its SIRET, and an SOS schedule is the agenda of such a place.
 * These rules apply to the resources that claim the SOS profiles.
 */
@Component
@Interceptor(order = WriteRule.BUSINESS)
public class SosRulesInterceptor extends WriteRule {

	static final String SD = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/";
	static final String SOS_LOCATION = SD + "sas-sos-location-aggregator";
	static final String SOS_SCHEDULE = SD + "sas-sos-schedule-aggregator";

	private final FhirContext fhirContext;
	private final ReferencedResources references;

	public SosRulesInterceptor(FhirContext fhirContext, ReferencedResources references) {
		this.fhirContext = fhirContext;
		this.references = references;
	}

	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		RuleViolations violations = new RuleViolations();
		if (resource instanceof Location location && claims(location, SOS_LOCATION)) {
			// SOS technical page: a place known nationally is identified by its IDNST, in the national system.
			for (int i = 0; i < location.getIdentifier().size(); i++) {
				Identifier identifier = location.getIdentifier().get(i);
				boolean idnst = identifier.getType().getCoding().stream().anyMatch(c -> "IDNST".equals(c.getCode()));
				if (idnst && !NationalIdentifiers.IDNST_SYSTEM.equals(identifier.getSystem())) {
					violations.add("Location.identifier[" + i + "].system", "SAS-sos-location-identifier",
							"an IDNST place identifier belongs to the national structure system "
									+ NationalIdentifiers.IDNST_SYSTEM + " (found '" + identifier.getSystem() + "')");
				}
			}
			Optional<Resource> managing = references.find(location.getManagingOrganization(), request);
			boolean sos = managing.filter(o -> o instanceof Organization).map(o -> (Organization) o)
					.map(o -> o.getIdentifier().stream().anyMatch(i -> NationalIdentifiers.IDNST_SYSTEM.equals(i.getSystem())
							&& i.getValue() != null && i.getValue().matches("^3\\d{14}$")))
					.orElse(false);
			if (!sos) {
				violations.add("Location.managingOrganization", "SAS-sos-organization", "the managing organization '"
						+ location.getManagingOrganization().getReference() + "' must be an SOS Médecins association "
						+ "identified by its SIRET (system " + NationalIdentifiers.IDNST_SYSTEM + ", 3 + 14 digits), "
						+ "stored or in this transaction");
			}
		}
		if (resource instanceof Schedule schedule && claims(schedule, SOS_SCHEDULE)) {
			List<Reference> actors = schedule.getActor();
			for (int i = 0; i < actors.size(); i++) {
				Optional<Resource> actor = references.find(actors.get(i), request);
				if (actor.isEmpty() || !(actor.get() instanceof Location)) {
					violations.add("Schedule.actor[" + i + "]", "SAS-sos-schedule-actor", "the actor of an SOS schedule "
							+ "is the fixed consultation place, a Location stored or in this transaction ('"
							+ actors.get(i).getReference() + "')");
				}
			}
		}
		violations.throwIfAny(fhirContext);
	}

	private static boolean claims(Resource resource, String profile) {
		return resource.getMeta().getProfile().stream().map(CanonicalType::getValue)
				.anyMatch(p -> p.equals(profile) || p.startsWith(profile + "|"));
	}
}
