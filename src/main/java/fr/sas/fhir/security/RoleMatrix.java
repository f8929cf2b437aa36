package fr.sas.fhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import fr.sas.fhir.common.AppointmentDestinations;
import org.springframework.beans.factory.ObjectProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationConstants;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleTester;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import fr.sas.fhir.common.LeavesSearchAnswersAlone;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.SasCodes;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * The role matrix (README, "Who may do what"), as HAPI's authorization rules: for every interaction, search,
 * operation and transaction entry, and on what answers return. Anonymous callers never get here (Spring Security
 * lets them reach metadata and health only). Publishers write their agendas and send appointments (whose they
 * are is {@link PublisherOwnershipInterceptor}'s); the platform writes regulator accounts; LRMs and regulators
 * search and book; analysts read; conformance content and system operations are the administrators'.
 *
 * <p>The slot searches' fast path answers before HAPI applies these rules to the answer; {@link #gateSearch}
 * lets it answer only callers who may read every type such an answer holds, unfiltered, and sends everyone
 * else through HAPI's path, where the answer is narrowed. Publishers may not search by chain or {@code _has}:
 * a criterion on a resource they may not read would tell them what it holds.
 */
@Component
@Interceptor(order = AuthorizationConstants.ORDER_AUTH_INTERCEPTOR)
public class RoleMatrix extends AuthorizationInterceptor implements LeavesSearchAnswersAlone {

	static final String RULE = "SAS-authorization";
	static final String CONTEXTUAL = "$contextual-search";
	static final String LRM_MESSAGES = "$lrm-messages";
	static final String VALIDATE = "$validate";
	static final String EVALUATE_MEASURE = "$evaluate-measure";
	private static final List<String> AGENDA = List.of("Slot", "Schedule", "PractitionerRole", "Practitioner", "Location",
			"HealthcareService", "Organization");
	private static final List<String> CONFORMANCE = List.of("StructureDefinition", "ValueSet", "CodeSystem",
			"SearchParameter", "OperationDefinition", "CapabilityStatement", "Measure");
	/** Roles that read every business type unfiltered: the fast path may answer them. */
	private static final Set<Role> READ_EVERYTHING = EnumSet.of(Role.ADMIN, Role.LOCAL_TRIAL, Role.PLATFORM, Role.LRM,
			Role.REGULATOR, Role.ANALYST);

	private final ClientRegistry clients;
	private final ObjectProvider<AppointmentDestinations> destinations;

	public RoleMatrix(ClientRegistry clients, ObjectProvider<AppointmentDestinations> destinations) {
		super(PolicyEnum.DENY);
		this.clients = clients;
		this.destinations = destinations;
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		Optional<Caller> caller = Caller.current();
		if (caller.isEmpty()) {
			return new RuleBuilder().allow("metadata").metadata().andThen()
					.denyAll("an anonymous caller reads the CapabilityStatement only").build();
		}
		Role role = caller.get().role();
		IAuthRuleBuilder rules = new RuleBuilder();
		if (role == Role.ADMIN || role == Role.LOCAL_TRIAL) {
			return rules.allowAll(role.name().toLowerCase()).build();
		}
		rules.allow("metadata").metadata();
		for (String type : CONFORMANCE) {
			rules.allow("conformance content is read by every client").read().resourcesOfType(type).withAnyId();
		}
		switch (role) {
			case PUBLISHER -> {
				IAuthRuleTester notAnAccount = new NotARegulatorAccount();
				for (String type : AGENDA) {
					rules.allow("a publisher reads the agendas").read().resourcesOfType(type).withAnyId().withTester(notAnAccount);
					rules.allow("a publisher writes its agendas").write().resourcesOfType(type).withAnyId().withTester(notAnAccount);
					rules.allow("a publisher writes its agendas").create().resourcesOfType(type).withAnyId().withTester(notAnAccount);
					rules.allow("a publisher deletes its agendas").delete().resourcesOfType(type).withAnyId().withTester(notAnAccount);
					rules.allow("a publisher writes its agendas").createConditional().resourcesOfType(type);
					rules.allow("a publisher writes its agendas").updateConditional().resourcesOfType(type);
					rules.allow("a publisher deletes its agendas").deleteConditional().resourcesOfType(type);
				}
				appointments(rules, "a publisher sends its appointments (INT_R03)");
				rules.allow("a publisher reads its appointments").read().resourcesOfType("Appointment").withAnyId()
						.withTester(new OwnAppointments(caller.get().id()));
				rules.allow("a publisher checks its resources ($validate)").operation().named(VALIDATE).atAnyLevel().andAllowAllResponses();
				rules.allow("a publisher writes in transactions, entry by entry").transaction().withAnyOperation().andApplyNormalRules();
			}
			case PLATFORM -> {
				readBusiness(rules, "the platform reads what its searches need");
				rules.allow("the platform writes regulator accounts (INT_R02)").write().resourcesOfType("Practitioner").withAnyId()
						.withTester(new RegulatorAccountsOnly());
				rules.allow("the platform writes regulator accounts (INT_R02)").create().resourcesOfType("Practitioner").withAnyId()
						.withTester(new RegulatorAccountsOnly());
				rules.allow("the platform writes regulator accounts (INT_R02)").updateConditional().resourcesOfType("Practitioner");
				rules.allow("the platform writes regulator accounts (INT_R02)").createConditional().resourcesOfType("Practitioner");
				appointments(rules, "the platform books");
				searches(rules, "the platform");
				rules.allow("the platform checks resources ($validate)").operation().named(VALIDATE).atAnyLevel().andAllowAllResponses();
				rules.allow("the platform writes in transactions, entry by entry").transaction().withAnyOperation().andApplyNormalRules();
			}
			case LRM -> {
				String samu = clients.byId(caller.get().id()).map(SecurityProperties.Client::getSamu).orElse("");
				IAuthRuleTester itsSamu = samu.isEmpty() ? null : new SentToSamu(samu, destinations.getIfAvailable());
				readBusiness(rules, "a regulation software reads the agendas and the appointments"
						+ (samu.isEmpty() ? "" : " sent to its SAMU"), itsSamu);
				searches(rules, "a regulation software");
			}
			case REGULATOR -> {
				readBusiness(rules, "a regulator reads the agendas and the appointments");
				searches(rules, "a regulator");
				appointments(rules, "a regulator books and cancels");
			}
			case ANALYST -> {
				readBusiness(rules, "an analyst reads every business type");
				// analytics: the programme's indicators (administrators have every right)
				rules.allow("an analyst evaluates the indicators").operation().named(EVALUATE_MEASURE)
						.onInstancesOfType(org.hl7.fhir.r4.model.Measure.class).andAllowAllResponses();
				rules.allow("an analyst exports the data (bulk data $export)").bulkExport().systemExport();
				rules.allow("an analyst exports the data (bulk data $export)").operation().named("$export").onServer().andAllowAllResponses();
				rules.allow("an analyst polls an export").operation().named("$export-poll-status").onServer().andAllowAllResponses();
				rules.allow("an analyst reads an export's files").read().resourcesOfType("Binary").withAnyId();
			}
			default -> { }
		}
		return rules.denyAll("the role " + role.name().toLowerCase() + " may not do this (README, role matrix)").build();
	}

	private static void readBusiness(IAuthRuleBuilder rules, String why) {
		readBusiness(rules, why, null);
	}

	/** The agendas, the appointments and their messages to the LRMs; {@code appointments} narrows the latter two. */
	private static void readBusiness(IAuthRuleBuilder rules, String why, IAuthRuleTester appointments) {
		for (String type : AGENDA) {
			rules.allow(why).read().resourcesOfType(type).withAnyId();
		}
		var read = rules.allow(why).read().resourcesOfType("Appointment").withAnyId();
		var messages = rules.allow(why + ", and what was sent to the LRMs about them").operation().named(LRM_MESSAGES)
				.onInstancesOfType(org.hl7.fhir.r4.model.Appointment.class).andAllowAllResponses();
		if (appointments != null) {
			read.withTester(appointments);
			messages.withTester(appointments);
		}
	}

	private static void searches(IAuthRuleBuilder rules, String who) {
		rules.allow(who + " runs the contextual search").operation().named(CONTEXTUAL).onType(org.hl7.fhir.r4.model.Slot.class)
				.andAllowAllResponses();
	}

	private static void appointments(IAuthRuleBuilder rules, String why) {
		rules.allow(why).write().resourcesOfType("Appointment").withAnyId();
		rules.allow(why).create().resourcesOfType("Appointment").withAnyId();
		rules.allow(why).createConditional().resourcesOfType("Appointment");
		rules.allow(why).updateConditional().resourcesOfType("Appointment");
	}

	/**
	 * Before the slot searches' fast path (which runs at this pointcut, later in order): only callers who read every
	 * business type unfiltered get it; a publisher's search goes through HAPI's path and may not chain nor use
	 * {@code _has}.
	 */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -100)
	public void gateSearch(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation != RestOperationTypeEnum.SEARCH_TYPE && operation != RestOperationTypeEnum.SEARCH_SYSTEM) {
			return;
		}
		Optional<Role> role = Caller.current().map(Caller::role);
		if (role.isPresent() && READ_EVERYTHING.contains(role.get())) {
			return;
		}
		LeavesSearchAnswersAlone.inspect(request);
		for (Map.Entry<String, String[]> parameter : request.getParameters().entrySet()) {
			String name = parameter.getKey();
			if (name.startsWith("_has") || (!name.startsWith("_") && name.contains("."))) {
				throw new ForbiddenOperationException(null, outcome("search parameter '" + name
						+ "': a publisher may not search by chain or _has (its criteria would read resources it may not see)", name));
			}
		}
	}

	@Override
	protected void handleDeny(RequestDetails request, Verdict verdict) {
		String reason = "no rule of the role matrix (README) allows it";
		String who = Caller.current().map(c -> c.id() + " (" + c.role().name().toLowerCase() + ")").orElse("an anonymous caller");
		String what = request.getRestOperationType() == null ? "this request"
				: request.getRestOperationType().getCode() + (request.getResourceName() == null ? "" : " " + request.getResourceName())
				+ (request.getOperation() == null ? "" : " " + request.getOperation());
		throw new ForbiddenOperationException(null, outcome(who + " may not " + what + ": " + reason, null));
	}

	private static OperationOutcome outcome(String message, String expression) {
		return RuleViolations.outcome(RuleViolations.issue(OperationOutcome.IssueSeverity.ERROR,
				OperationOutcome.IssueType.FORBIDDEN, expression, RULE, message));
	}

	static boolean isRegulatorAccount(IBaseResource resource) {
		return SasCodes.isRegulatorAccount(resource);
	}

	/** Publishers never read nor write regulator accounts. */
	private static final class NotARegulatorAccount implements IAuthRuleTester {
		@Override
		public boolean matches(RuleTestRequest test) {
			return test.resource == null || !isRegulatorAccount(test.resource);
		}

		@Override
		public boolean matchesOutput(RuleTestRequest test) {
			return test.resource == null || !isRegulatorAccount(test.resource);
		}
	}

	/** The platform writes regulator accounts, not the practitioners of publishers' agendas. */
	private static final class RegulatorAccountsOnly implements IAuthRuleTester {
		@Override
		public boolean matches(RuleTestRequest test) {
			return test.resource == null || isRegulatorAccount(test.resource);
		}
	}

	/** An LRM reads the appointments sent to its SAMU: the appointment read, or named by an instance operation. */
	private record SentToSamu(String samu, AppointmentDestinations destinations) implements IAuthRuleTester {
		@Override
		public boolean matches(RuleTestRequest test) {
			if (test.resource instanceof org.hl7.fhir.r4.model.Appointment appointment) {
				return sentHere(appointment.getIdElement());
			}
			return test.resourceId == null || !"Appointment".equals(test.resourceId.getResourceType()) || sentHere(test.resourceId);
		}

		/** Only appointments are judged: an operation's answer (a Bundle of messages) passes once its input did. */
		@Override
		public boolean matchesOutput(RuleTestRequest test) {
			return !(test.resource instanceof org.hl7.fhir.r4.model.Appointment appointment) || sentHere(appointment.getIdElement());
		}

		private boolean sentHere(org.hl7.fhir.instance.model.api.IIdType id) {
			return destinations != null && id != null && id.hasIdPart()
					&& destinations.destinationOf("Appointment/" + id.getIdPart()).filter(samu::equals).isPresent();
		}
	}

	/** A publisher reads the appointments it sent (tagged with its client id). */
	private record OwnAppointments(String publisher) implements IAuthRuleTester {
		@Override
		public boolean matches(RuleTestRequest test) {
			return test.resource == null || owns(test.resource);
		}

		@Override
		public boolean matchesOutput(RuleTestRequest test) {
			return test.resource == null || owns(test.resource);
		}

		private boolean owns(IBaseResource resource) {
			return resource instanceof Resource r && r.getMeta().getTag().stream()
					.anyMatch(t -> PublisherOwnershipInterceptor.OWNER_SYSTEM.equals(t.getSystem()) && publisher.equals(t.getCode()));
		}
	}
}
