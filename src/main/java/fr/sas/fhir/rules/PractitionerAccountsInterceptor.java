package fr.sas.fhir.rules;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.util.UrlUtil;
import fr.sas.fhir.common.RuleViolations;
import fr.sas.fhir.common.WriteRule;
import fr.sas.fhir.common.WriteWarnings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Two kinds of Practitioner share identifiers: regulator accounts (INT_R02, {@code FrPractitionerRegul}, written
 * by the SAS platform) and the cards of practitioners whose slots a publisher exposes
 * ({@code FrPractitionerAgregateur}); a doctor can be both, with the same RPPS (the guide's
 * {@code ExamplePractitionerRegul2} and {@code ExamplePractitioner3}). A conditional update
 * {@code PUT Practitioner?identifier=...} therefore only matches resources of the profile its body claims.
 *
 * <p>An identifier names one regulator account. Every request on accounts holds the locks of the identifiers it
 * names (URL and body) until it completes, and:
 * <ul>
 * <li>{@code POST Practitioner} of an account whose identifier is held answers 409 naming
 * {@code PUT Practitioner?identifier=...}, even when identical (the ANS test kit refuses a second creation);
 * <li>{@code PUT Practitioner?identifier=...} updates the account the URL names; when none holds it, the account
 * that holds the body's other identifiers (attaching a national identifier to an account known by its SAS
 * technical identifier); when the URL's identifier is held only by deactivated accounts and the body's other
 * identifiers by one active account, that active account (the platform re-attributes a national identifier);
 * when no account holds any of them, a new account, named by the body's identifiers when the URL's is not among
 * them (an update of an unknown account is its creation, the guide's regulator page);
 * <li>when the written account carries an identifier a deactivated account holds, the deactivated one gives it
 * up: its identifier gets {@code use = old} and {@code period.end} = now, in a new version (its history keeps
 * the former one), and the answer says so in a warning; an active holder is a conflict (409).
 * </ul>
 */
@Component
@Interceptor(order = WriteRule.BUSINESS)
public class PractitionerAccountsInterceptor extends WriteRule {

	static final String REGULATOR = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul";
	static final String RULE = "SAS-regulator-identifier";
	private static final Duration LOCK_WAIT = Duration.ofSeconds(20);
	private static final Logger LOG = LoggerFactory.getLogger(PractitionerAccountsInterceptor.class);

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final Clock clock;
	private final RequestLocks locks = new RequestLocks("regulator-identifiers", LOCK_WAIT);
	private final IdentifiedCreate posts;

	public PractitionerAccountsInterceptor(FhirContext fhirContext, DaoRegistry daoRegistry, Clock clock) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.clock = clock;
		this.posts = new IdentifiedCreate(fhirContext, locks, IdentifiedCreate.IdenticalRetry.REFUSED);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void identifyTheAccount(RequestDetails request) throws InterruptedException {
		if (!"Practitioner".equals(request.getResourceName()) || request.getOperation() != null
				|| (request.getId() != null && request.getId().hasIdPart())) {
			return;
		}
		boolean post = request.getRequestType() == RequestTypeEnum.POST
				&& request.getHeader(Constants.HEADER_IF_NONE_EXIST) == null;
		boolean conditionalPut = request.getRequestType() == RequestTypeEnum.PUT && !request.getParameters().isEmpty();
		if (!post && !conditionalPut) {
			return;
		}
		Practitioner practitioner = RequestBodies.parse(fhirContext, request, Practitioner.class);
		if (practitioner == null || !practitioner.hasMeta() || practitioner.getMeta().getProfile().isEmpty()) {
			return; // HAPI or profile validation refuses it
		}
		Set<String> profiles = practitioner.getMeta().getProfile().stream().map(CanonicalType::getValue)
				.collect(Collectors.toCollection(LinkedHashSet::new));
		boolean regulator = profiles.contains(REGULATOR);
		if (post && regulator) {
			List<String> tokens = tokens(practitioner);
			if (!tokens.isEmpty()) {
				posts.identify(request, practitioner, tokens, () -> List.copyOf(holders(tokens, null)),
						"Practitioner?identifier=" + escapeList(String.join(",", tokens)) + "&_profile="
								+ UrlUtil.escapeUrlParam(REGULATOR),
						"Practitioner.identifier", RULE, "PUT Practitioner?identifier=" + tokens.get(0));
			}
		} else if (conditionalPut && regulator) {
			request.setFixedConditionalUrl(accountUrl(request, practitioner));
		} else if (conditionalPut) {
			request.setFixedConditionalUrl(withinProfiles(request, profiles));
		}
	}

	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void release(RequestDetails request) {
		locks.release(request);
	}

	/** The conditional URL of a regulator account's update: {@code _id} of the account it updates, or its criteria. */
	private String accountUrl(RequestDetails request, Practitioner sent) throws InterruptedException {
		String[] urlValues = request.getParameters().get("identifier");
		List<String> urlTokens = new ArrayList<>();
		if (urlValues != null) {
			for (String value : urlValues) {
				for (String token : value.split(",")) {
					if (!token.isBlank()) {
						urlTokens.add(token.trim());
					}
				}
			}
		}
		List<String> bodyTokens = tokens(sent);
		Set<String> all = new LinkedHashSet<>(urlTokens);
		all.addAll(bodyTokens);
		locks.lockAll(request, all, "regulator account " + String.join(", ", all), "Practitioner.identifier");
		String criteria = withinProfiles(request, Set.of(REGULATOR));
		if (urlTokens.size() != request.getParameters().keySet().stream().filter(k -> !k.startsWith("_")).count()
				|| urlTokens.isEmpty()) {
			return criteria; // other criteria than identifier: HAPI matches them as given
		}
		List<Practitioner> named = holders(urlTokens, null);
		List<Practitioner> activeNamed = named.stream().filter(Practitioner::getActive).toList();
		List<String> others = bodyTokens.stream().filter(t -> !urlTokens.contains(t)).toList();
		List<Practitioner> activeOthers = holders(others, null).stream().filter(Practitioner::getActive)
				.filter(p -> named.stream().noneMatch(n -> sameId(n, p))).toList();
		if (named.size() == 1 && !(activeNamed.isEmpty() && distinct(activeOthers).size() == 1)) {
			return "Practitioner?_id=" + named.get(0).getIdElement().getIdPart();
		}
		if (named.size() > 1) {
			throw new PreconditionFailedException("identifier " + String.join(",", urlTokens) + " names "
					+ named.size() + " regulator accounts", RuleViolations.outcome(RuleViolations.issue(
							OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.MULTIPLEMATCHES,
							"Practitioner.identifier", RULE, "identifier " + String.join(",", urlTokens) + " names "
									+ ids(named) + ": name one account")));
		}
		List<Practitioner> bodyHolders = distinct(holders(others, null));
		if (activeNamed.isEmpty() && distinct(activeOthers).size() == 1) {
			return "Practitioner?_id=" + activeOthers.get(0).getIdElement().getIdPart();
		}
		if (bodyHolders.size() == 1) {
			return "Practitioner?_id=" + bodyHolders.get(0).getIdElement().getIdPart();
		}
		if (bodyHolders.size() > 1) {
			throw conflict("the identifiers of this account are held by " + ids(bodyHolders) + ": name one account");
		}
		// A new account. The guide's regulator page: an update of an account unknown here behaves as its creation,
		// so its own identifiers name it when the URL names an identifier the body does not carry (the ANS kit sends
		// the national system with the technical value).
		if (bodyTokens.isEmpty() || carriesOneOf(bodyTokens, urlTokens)) {
			return criteria;
		}
		return "Practitioner?identifier=" + UrlUtil.escapeUrlParam(bodyTokens.get(0)) + "&_profile="
				+ UrlUtil.escapeUrlParam(REGULATOR);
	}

	/** Whether one of {@code urlTokens} ({@code system|value}, or a bare value) names one of {@code bodyTokens}. */
	private static boolean carriesOneOf(List<String> bodyTokens, List<String> urlTokens) {
		return urlTokens.stream().anyMatch(u -> bodyTokens.stream()
				.anyMatch(b -> b.equals(u) || (u.indexOf('|') < 0 && b.substring(b.indexOf('|') + 1).equals(u))));
	}

	/**
	 * Storage rule: the identifiers of a regulator account are its own. A deactivated holder gives one up
	 * (recorded in its history), an active holder makes the write a conflict.
	 */
	@Override
	protected void check(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		if (!(resource instanceof Practitioner written) || !(request instanceof ServletRequestDetails)
				|| written.getMeta().getProfile().stream().noneMatch(p -> REGULATOR.equals(p.getValue()))) {
			return;
		}
		String self = written.getIdElement().getIdPart();
		List<String> tokens = tokens(written);
		List<OperationOutcome.OperationOutcomeIssueComponent> warnings = new ArrayList<>();
		for (Practitioner holder : holders(tokens, self)) {
			if (holder.getActive()) {
				throw conflict("identifier " + sharedTokens(holder, tokens) + " is held by the active regulator account "
						+ holder.getIdElement().toUnqualifiedVersionless().getValue() + "; deactivate it first");
			}
			Practitioner released = holder.copy();
			Date now = Date.from(clock.instant());
			for (Identifier id : released.getIdentifier()) {
				if (tokens.contains(id.getSystem() + "|" + id.getValue()) && id.getUse() != Identifier.IdentifierUse.OLD) {
					id.setUse(Identifier.IdentifierUse.OLD);
					id.getPeriod().setEnd(now);
				}
			}
			daoRegistry.getResourceDao("Practitioner").update(released, new SystemRequestDetails());
			String from = holder.getIdElement().toUnqualifiedVersionless().getValue();
			LOG.info("Regulator identifier {} moved from deactivated account {} to {}", sharedTokens(holder, tokens), from,
					self == null ? "a new account" : "Practitioner/" + self);
			warnings.add(RuleViolations.issue(OperationOutcome.IssueSeverity.WARNING, OperationOutcome.IssueType.INFORMATIONAL,
					"Practitioner.identifier", "SAS-regulator-identifier-moved", "identifier " + sharedTokens(holder, tokens)
							+ " was held by the deactivated account " + from + ", which gives it up (use = old)"));
		}
		WriteWarnings.add(request, warnings);
	}

	/** The regulator accounts holding one of these identifiers (as a current identifier), but {@code excludeId}. */
	private List<Practitioner> holders(Collection<String> tokens, String excludeId) {
		if (tokens.isEmpty()) {
			return List.of();
		}
		TokenOrListParam any = new TokenOrListParam();
		for (String token : tokens) {
			int bar = token.indexOf('|');
			any.add(bar < 0 ? null : token.substring(0, bar), token.substring(bar + 1));
		}
		SearchParameterMap map = SearchParameterMap.newSynchronous();
		map.add("identifier", any);
		map.add(Constants.PARAM_PROFILE, new UriParam(REGULATOR));
		List<Practitioner> found = new ArrayList<>();
		for (IBaseResource r : daoRegistry.getResourceDao("Practitioner").search(map, new SystemRequestDetails())
				.getResources(0, 50)) {
			Practitioner p = (Practitioner) r;
			if (!p.getIdElement().getIdPart().equals(excludeId) && !sharedTokens(p, tokens).isEmpty()) {
				found.add(p);
			}
		}
		return found;
	}

	/** The identifiers of these tokens the account holds as current ones (not {@code use = old}). */
	private static String sharedTokens(Practitioner account, Collection<String> tokens) {
		return account.getIdentifier().stream()
				.filter(id -> id.getUse() != Identifier.IdentifierUse.OLD)
				.map(id -> id.getSystem() + "|" + id.getValue())
				.filter(t -> tokens.contains(t) || tokens.contains(t.substring(t.indexOf('|') + 1)))
				.collect(Collectors.joining(", "));
	}

	private static List<String> tokens(Practitioner practitioner) {
		return practitioner.getIdentifier().stream()
				.filter(id -> id.hasSystem() && id.hasValue() && id.getUse() != Identifier.IdentifierUse.OLD)
				.map(id -> id.getSystem() + "|" + id.getValue())
				.distinct()
				.toList();
	}

	private static List<Practitioner> distinct(List<Practitioner> accounts) {
		Map<String, Practitioner> byId = new java.util.LinkedHashMap<>();
		accounts.forEach(a -> byId.putIfAbsent(a.getIdElement().getIdPart(), a));
		return new ArrayList<>(byId.values());
	}

	private static boolean sameId(Practitioner a, Practitioner b) {
		return a.getIdElement().getIdPart().equals(b.getIdElement().getIdPart());
	}

	private static String ids(List<Practitioner> accounts) {
		return accounts.stream().map(a -> a.getIdElement().toUnqualifiedVersionless().getValue())
				.collect(Collectors.joining(", "));
	}

	private static ResourceVersionConflictException conflict(String message) {
		return new ResourceVersionConflictException(message, RuleViolations.outcome(RuleViolations.issue(
				OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.CONFLICT, "Practitioner.identifier",
				RULE, message)));
	}

	/** The request's criteria, matching only resources of the profiles the body claims. */
	private static String withinProfiles(RequestDetails request, Set<String> profiles) {
		StringBuilder url = new StringBuilder("Practitioner?");
		for (Map.Entry<String, String[]> parameter : request.getParameters().entrySet()) {
			if (parameter.getKey().startsWith("_format") || parameter.getKey().equals("_pretty")) {
				continue;
			}
			for (String value : parameter.getValue()) {
				url.append(UrlUtil.escapeUrlParam(parameter.getKey())).append('=').append(escapeList(value)).append('&');
			}
		}
		url.append("_profile=").append(escapeList(String.join(",", profiles)));
		return url.toString();
	}

	/** Escapes each value of a comma-separated OR list, keeping the commas. */
	private static String escapeList(String values) {
		return java.util.Arrays.stream(values.split(",")).map(UrlUtil::escapeUrlParam).collect(Collectors.joining(","));
	}
}
