package fr.sas.fhir.rules;

import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.SasCodes;
import fr.sas.fhir.common.WriteRule;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.util.UrlUtil;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

/**
 * Appointment flow INT_R03 (specifications_techniques-tous-gestion_rdv.md): an appointment is identified by the
 * publisher's identifier (system + value), so there are never two of them. A retried identical POST returns the
 * stored one (HAPI's conditional create, safe under concurrency); a POST with the same identifier and other
 * content answers 409 and points to the conditional update {@code PUT Appointment?identifier=system|value},
 * which updates the one match in place (see {@link ConditionalUpdateTarget}). Status and operator follow the guide.
 */
@Component
@Interceptor(order = WriteRule.BUSINESS)
public class AppointmentFlowInterceptor extends WriteRule {

	/** AppointmentStatus values the SAS platform uses; {@code pending} only for SOS Médecins (Appointment-12345678). */
	static final Set<String> SAS_STATUSES = Set.of("booked", "fulfilled", "noshow", "cancelled");
	static final String SOS_APPOINTMENT = SasCodes.SOS_APPOINTMENT;
	static final String OPERATOR = SasCodes.APPOINTMENT_OPERATOR;
	static final String SAS_TECHNICAL_SYSTEM = "urn:oid:1.2.250.1.213.3.6";

	private static final Duration LOCK_WAIT = Duration.ofSeconds(20);

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final IdentifiedCreate posts;

	public AppointmentFlowInterceptor(FhirContext fhirContext, DaoRegistry daoRegistry) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.posts = new IdentifiedCreate(fhirContext, new RequestLocks("appointment-identifiers", LOCK_WAIT),
				IdentifiedCreate.IdenticalRetry.ANSWERED);
	}

	/**
	 * {@code POST /Appointment}: before HAPI picks the create method, the body is read and, under a lock held
	 * per identifier until the request completes (so concurrent identical POSTs are handled one after the other
	 * on this node), the create is made conditional on the identifier, or refused when the stored appointment
	 * differs.
	 */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void identifyByIdentifier(RequestDetails request) throws InterruptedException {
		if (request.getRequestType() != RequestTypeEnum.POST || !"Appointment".equals(request.getResourceName())
				|| request.getId() != null || request.getOperation() != null
				|| request.getHeader(Constants.HEADER_IF_NONE_EXIST) != null) {
			return;
		}
		Appointment appointment = RequestBodies.parse(fhirContext, request, Appointment.class);
		Identifier identifier = appointment == null ? null : businessIdentifier(appointment);
		if (identifier == null) {
			return; // profile validation will refuse it
		}
		String token = identifier.getSystem() + "|" + identifier.getValue();
		posts.identify(request, appointment, List.of(token), () -> findByIdentifier(identifier),
				"Appointment?identifier=" + UrlUtil.escapeUrlParam(token), "Appointment.identifier",
				"SAS-appointment-identifier", "PUT Appointment?identifier=" + token);
	}

	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void release(RequestDetails request) {
		posts.release(request);
	}


	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Appointment appointment)) {
			return;
		}
		Identifier identifier = businessIdentifier(appointment);
		if (identifier != null) {
			String self = appointment.getIdElement().getIdPart();
			for (IBaseResource other : findByIdentifier(identifier)) {
				if (!other.getIdElement().getIdPart().equals(self)) {
					String token = identifier.getSystem() + "|" + identifier.getValue();
					OperationOutcome outcome = new OperationOutcome();
					outcome.addIssue(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR, "Appointment.identifier",
							"SAS-appointment-identifier", "identifier " + token + " is already "
									+ other.getIdElement().toUnqualifiedVersionless().getValue()
									+ "; to change it, send PUT Appointment?identifier=" + token));
					throw new ResourceVersionConflictException("Appointment " + token + " exists", outcome);
				}
			}
		}
		RuleViolations violations = new RuleViolations();
		String status = appointment.hasStatus() ? appointment.getStatus().toCode() : null;
		boolean sos = appointment.getMeta().getProfile().stream().map(CanonicalType::getValue)
				.anyMatch(p -> p.startsWith(SOS_APPOINTMENT));
		if (!SAS_STATUSES.contains(status) && !(sos && "pending".equals(status))) {
			violations.add("Appointment.status", "SAS-appointment-status", "status '" + status + "' is not one the SAS "
					+ "platform uses (booked, fulfilled, noshow, cancelled; pending for SOS Médecins)");
		}
		for (Extension operator : appointment.getExtensionsByUrl(OPERATOR)) {
			Identifier id = operator.getValue() instanceof Reference ref ? ref.getIdentifier() : null;
			String system = id == null ? null : id.getSystem();
			if (!NationalIdentifiers.IDNPS_SYSTEM.equals(system) && !SAS_TECHNICAL_SYSTEM.equals(system)) {
				violations.add("Appointment.extension.value.identifier.system", "SAS-appointment-operator", "the regulator "
						+ "who booked is identified by a national identifier (" + NationalIdentifiers.IDNPS_SYSTEM
						+ ", IDNPS) or the SAS technical identifier (" + SAS_TECHNICAL_SYSTEM + ", INTRN), not '" + system + "'");
			}
		}
		violations.throwIfAny(fhirContext);
	}

	private static Identifier businessIdentifier(Appointment appointment) {
		return appointment.getIdentifier().stream()
				.filter(i -> i.hasSystem() && i.hasValue())
				.findFirst()
				.orElse(null);
	}

	private List<IBaseResource> findByIdentifier(Identifier identifier) {
		SearchParameterMap map = SearchParameterMap.newSynchronous(
				"identifier", new TokenParam(identifier.getSystem(), identifier.getValue()));
		return daoRegistry.getResourceDao("Appointment").search(map, new SystemRequestDetails()).getResources(0, 2);
	}
}
