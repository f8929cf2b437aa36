package fr.sas.fhir.acceptance;

import ca.uhn.fhir.context.FhirContext;
import fr.sas.fhir.acceptance.Checks.Aspect;
import fr.sas.fhir.common.GuideShapes;
import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.ProfileCheck;
import fr.sas.fhir.publishers.GuideRequests;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.UseCase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;

/**
 * Runs the connected acceptance of one publisher's endpoint: its CapabilityStatement, the guide's searches of the
 * claimed use cases (1 and 25 practitioners, 1 and 10 associations, an identifier it does not hold), each answer
 * checked aspect by aspect, the FAQ's recurring errors over every answer, and the answer times. Every call goes
 * through {@link PublisherClient} (the bar percent-encoded), but the raw-bar searches ({@link RawBarSearches}: the JDK's
 * client cannot send the guide's raw {@code |}) and the transport probes (their own connections); every entry is
 * validated with the server's own validator ({@link ProfileCheck}).
 */
public class AcceptanceEngine {

	static final int PRACTITIONERS = 25;
	static final int ASSOCIATIONS = 10;
	private static final Pattern NO_OFFSET = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$");
	private static final Pattern PHONE = Pattern.compile("^\\+(33|262|508|590|594|596)\\d{9}$");
	private static final Pattern CODE_AS_TEXT = Pattern.compile("^(SM|SCD|FQ|CEX|PAC)\\d+$");
	private static final Set<String> SLOT_TYPES = Set.of("PUBLIC", "PRO", "SNP", "CPTS");
	private static final Set<String> SOS_SLOT_TYPES = Set.of("PUBLIC", "SNP");

	private final FhirContext fhirContext;
	private final ProfileCheck profiles;
	private final PublisherClient client;
	private final Clock clock;
	private final AcceptanceProperties properties;
	private final TransportProbes transportProbes;
	private final RegulatorAccountSequence regulatorAccounts;
	private final RawBarSearches rawBar;

	public AcceptanceEngine(FhirContext fhirContext, ProfileCheck profiles, PublisherClient client, Clock clock,
			AcceptanceProperties properties, TransportProbes transportProbes, RawBarSearches rawBar) {
		this.fhirContext = fhirContext;
		this.profiles = profiles;
		this.client = client;
		this.clock = clock;
		this.properties = properties;
		this.transportProbes = transportProbes;
		this.rawBar = rawBar;
		this.regulatorAccounts = new RegulatorAccountSequence(fhirContext, client, properties);
	}

	public AcceptanceReport run(PublisherEndpoint endpoint, TestData data) {
		return new Run(endpoint, data).run();
	}

	/** What one check saw: how many things it looked at, its failures, or why it was skipped. */
	private static final class Tally {
		int checked;
		final List<String[]> failures = new ArrayList<>();
		String skipped;
		String note;

		void fail(String summary, String request, String answer, String expected) {
			failures.add(new String[] {summary, request, answer, expected});
		}
	}

	private final class Run {
		private final PublisherEndpoint endpoint;
		private final TestData data;
		private final Set<UseCase> claimed;
		private final Instant startedAt;
		private final long start = System.nanoTime();
		private final Map<Check, Tally> tallies = new LinkedHashMap<>();
		private final List<Long> searchTimes = new ArrayList<>();
		private final List<Exchange> answers = new ArrayList<>();
		private final Map<Exchange, UseCase> answerUseCase = new LinkedHashMap<>();
		private int requests;
		private Instant now;

		Run(PublisherEndpoint endpoint, TestData data) {
			this.endpoint = endpoint;
			this.data = data;
			Set<UseCase> useCases;
			try {
				useCases = data.claimed();
			} catch (IllegalArgumentException e) {
				useCases = EnumSet.noneOf(UseCase.class);
			}
			this.claimed = useCases;
			this.startedAt = clock.instant();
			tally(Checks.CAPABILITY);
			tally(Checks.CAPABILITY_SEARCHES);
			for (UseCase useCase : UseCase.values()) {
				for (Aspect aspect : Checks.aspects(useCase)) {
					Tally t = tally(Checks.search(useCase, aspect));
					if (!claimed.contains(useCase)) {
						t.skipped = "the " + useCase.code() + " use case is not claimed in the test data";
					}
				}
			}
			Checks.faq().forEach(this::tally);
			if (!claimed.contains(UseCase.CPTS)) {
				tally(Checks.CPTS_SERVICE_TYPE).skipped = "the cpts use case is not claimed in the test data";
			}
			if (!claimed.contains(UseCase.SOS)) {
				tally(Checks.SOS_REFERENCES).skipped = "the sos use case is not claimed in the test data";
			}
			tally(Checks.TIME_KIT);
			tally(Checks.TIME_PLATFORM);
			tally(Checks.TRANSPORT_HTTPS);
			tally(Checks.TRANSPORT_CERTIFICATE);
			tally(Checks.TRANSPORT_MUTUAL_TLS);
			tally(Checks.TRANSPORT_MUTUAL_TLS_UNKNOWN);
			tally(Checks.TRANSPORT_MUTUAL_TLS_EXPIRED);
			tally(Checks.TRANSPORT_MUTUAL_TLS_REVOKED);
			tally(Checks.TRANSPORT_TLS_VERSION);
			for (Check check : Checks.accounts()) {
				if (!data.regulatorAccounts()) {
					tally(check).skipped = "regulator accounts (INT_R02) not opted in (test data: \"regulatorAccounts\": true):"
							+ " these checks write test accounts into the publisher's system";
				}
			}
		}

		private Tally tally(Check check) {
			return tallies.computeIfAbsent(check, c -> new Tally());
		}

		AcceptanceReport run() {
			List<String> problems = data.problems();
			if (!problems.isEmpty()) {
				tallies.values().forEach(t -> t.skipped = t.skipped != null ? t.skipped : "test data: " + String.join("; ", problems));
				tally(Checks.CAPABILITY).skipped = null;
			}
			PublisherCall metadata = capability();
			transport(metadata);
			now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
			if (problems.isEmpty()) {
				for (UseCase useCase : claimed) {
					searches(useCase);
				}
				faq();
				series();
				accounts();
			}
			times();
			return report();
		}

		private PublisherCall call(UseCase useCase, String relative) {
			requests++;
			PublisherCall call = client.get(endpoint, useCase, relative, properties.getCallBudget()).join();
			if (useCase != null) {
				searchTimes.add(call.elapsed().toMillis());
			}
			if (call.useCase() != null && call.elapsed().compareTo(Duration.ofSeconds(7)) > 0
					|| call.outcome() == fr.sas.fhir.publishers.CallOutcome.TIMEOUT) {
				tally(Checks.TIME_PLATFORM).fail("answered in " + call.elapsed().toMillis() + " ms (" + call.describe() + ")",
						"GET " + call.url(), call.describe(), "an answer within 7 s");
			}
			return call;
		}

		// ------------------------------------------------------------ capability

		private PublisherCall capability() {
			PublisherCall call = call(null, "metadata");
			Exchange ex = Exchange.of(fhirContext, call, List.of(), false);
			Tally t = tally(Checks.CAPABILITY);
			t.checked++;
			if (!ex.usable() || !(ex.resource() instanceof CapabilityStatement statement)) {
				t.fail(ex.usable() ? "a " + ex.resource().fhirType() + ", not a CapabilityStatement" : ex.problem(), ex.request(),
						ex.head(), "200, a CapabilityStatement in FHIR JSON");
				tally(Checks.CAPABILITY_SEARCHES).skipped = "no CapabilityStatement to read";
				return call;
			}
			if (statement.getFhirVersion() != Enumerations.FHIRVersion._4_0_1) {
				t.fail("fhirVersion " + (statement.hasFhirVersion() ? statement.getFhirVersion().toCode() : "(none)"), ex.request(),
						"\"fhirVersion\": \"" + (statement.hasFhirVersion() ? statement.getFhirVersion().toCode() : "") + "\"",
						"fhirVersion 4.0.1");
			}
			if (statement.getFormat().stream().noneMatch(f -> f.getValue() != null && f.getValue().contains("json"))) {
				t.fail("format does not declare JSON", ex.request(), "\"format\": " + ex.json().path("format"),
						"format holding json or application/fhir+json");
			}
			Tally searches = tally(Checks.CAPABILITY_SEARCHES);
			if (searches.skipped != null) {
				return call;
			}
			for (UseCase useCase : claimed) {
				for (GuideCapabilities.Expected expected : GuideCapabilities.of(useCase)) {
					searches.checked++;
					String missing = GuideCapabilities.missing(statement, expected);
					if (missing != null) {
						searches.fail(useCase.code() + ": " + missing, ex.request(),
								Text.clip(GuideCapabilities.declared(ex.json(), expected.type())), expected.describe());
					}
				}
			}
			return call;
		}

		// ------------------------------------------------------------ transport

		private void transport(PublisherCall metadata) {
			boolean https = "https".equalsIgnoreCase(endpoint.address().getScheme());
			String host = endpoint.address().getHost();
			boolean loopback = host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
			Tally secure = tally(Checks.TRANSPORT_HTTPS);
			Tally certificate = tally(Checks.TRANSPORT_CERTIFICATE);
			if (!https) {
				String why = "plain http" + (loopback ? " on the loopback address (a trial)" : "");
				if (loopback) {
					secure.skipped = why;
				} else {
					secure.checked++;
					secure.fail("the endpoint is served over plain http", "GET " + metadata.url(), null, "https");
				}
				for (Check check : List.of(Checks.TRANSPORT_CERTIFICATE, Checks.TRANSPORT_MUTUAL_TLS, Checks.TRANSPORT_MUTUAL_TLS_UNKNOWN,
						Checks.TRANSPORT_MUTUAL_TLS_EXPIRED, Checks.TRANSPORT_MUTUAL_TLS_REVOKED, Checks.TRANSPORT_TLS_VERSION)) {
					tally(check).skipped = why + ": no TLS";
				}
				return;
			}
			secure.checked++;
			if (metadata.certificateNotAfter() == null) {
				certificate.skipped = "no server certificate seen (" + metadata.describe() + ")";
			} else {
				certificate.checked++;
				if (metadata.certificateNotAfter().isBefore(clock.instant().plus(Duration.ofDays(30)))) {
					certificate.fail("the server certificate ends " + metadata.certificateNotAfter(), "GET " + metadata.url(), null,
							"a certificate valid for 30 days at least");
				}
			}
			TransportProbes.Outcome probes = transportProbes.run(endpoint, metadata);
			requests += probes.connections();
			probes.results().forEach(this::record);
		}

		// ------------------------------------------------------------ regulator accounts (INT_R02)

		private void accounts() {
			if (!data.regulatorAccounts()) {
				return;
			}
			RegulatorAccountSequence.Outcome outcome = regulatorAccounts.run(endpoint, TestRegulatorAccounts.fresh());
			requests += outcome.requests();
			outcome.results().forEach(this::record);
		}

		/** A verdict reached outside the searches (a probe, a write), kept as the check's tally. */
		private void record(CheckResult result) {
			Tally t = tally(result.check());
			switch (result.verdict()) {
				case PASS -> {
					t.checked++;
					t.note = result.summary();
				}
				case SKIPPED -> t.skipped = result.summary();
				default -> t.fail(result.summary(), result.request(), result.answer(), result.expected());
			}
		}

		// ------------------------------------------------------------ searches

		private void searches(UseCase useCase) {
			boolean sos = useCase == UseCase.SOS;
			String system = sos ? NationalIdentifiers.IDNST_SYSTEM : NationalIdentifiers.IDNPS_SYSTEM;
			List<String> held = sos ? data.associations() : data.practitioners();
			int many = sos ? ASSOCIATIONS : PRACTITIONERS;
			Instant from = now;
			Instant to = now.plus(properties.getWindow());
			List<String> one = List.of(system + "|" + held.get(0));
			List<String> all = padded(system, held, many, sos);
			Exchange single = search(useCase, one, from, to);
			Exchange multi = search(useCase, all, from, to);
			Exchange empty = search(useCase, padded(system, List.of(), 1, sos), from, to);
			for (Exchange ex : List.of(single, multi)) {
				answer(useCase, ex, from, to);
			}
			empty(useCase, empty);
			multiple(useCase, single, multi);
			rawBar(useCase, all, from, to, multi);
		}

		/** The many-identifier search again, its bars raw on the request line ({@link RawBarSearches}). */
		private void rawBar(UseCase useCase, List<String> asked, Instant from, Instant to, Exchange encoded) {
			Check check = Checks.search(useCase, Aspect.RAW_BAR);
			if (!encoded.usable() || encoded.call().status() != 200) {
				record(RawBarSearches.compare(check, encoded, null));
				return;
			}
			requests++;
			Exchange raw = rawBar.send(endpoint, useCase, GuideRequests.of(useCase, asked, from, to, properties.getZone()), asked);
			record(RawBarSearches.compare(check, encoded, raw));
		}

		/** The identifiers held, then identifiers nobody holds, up to {@code size}. */
		private List<String> padded(String system, List<String> held, int size, boolean sos) {
			List<String> tokens = new ArrayList<>();
			held.stream().limit(size).forEach(v -> tokens.add(system + "|" + v));
			Set<String> taken = new HashSet<>(held);
			for (int i = 1; tokens.size() < size; i++) {
				String filler = sos ? "3" + String.format("%014d", 99_999_990_000_000L + i) : "8" + String.format("%011d", 99_990_000_000L + i);
				if (taken.add(filler)) {
					tokens.add(system + "|" + filler);
				}
			}
			return tokens;
		}

		private Exchange search(UseCase useCase, List<String> asked, Instant from, Instant to) {
			String relative = GuideRequests.of(useCase, asked, from, to, properties.getZone());
			return Exchange.of(fhirContext, call(useCase, relative), asked, true);
		}

		private void answer(UseCase useCase, Exchange ex, Instant from, Instant to) {
			Tally answer = tally(Checks.search(useCase, Aspect.ANSWER));
			answer.checked++;
			if (!ex.usable() || ex.call().status() != 200) {
				answer.fail(ex.usable() ? "status " + ex.call().status() : ex.problem(), ex.request(), ex.head(),
						"200 with a searchset Bundle in FHIR JSON");
				return;
			}
			answers.add(ex);
			answerUseCase.put(ex, useCase);
			boolean sos = useCase == UseCase.SOS;
			Bundle bundle = ex.bundle();
			Map<String, Resource> byKey = ex.byKey();
			bundleProfile(useCase, ex, sos);
			entries(useCase, ex, sos);
			List<Slot> slots = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
					.filter(Slot.class::isInstance).map(Slot.class::cast).toList();
			Tally window = tally(Checks.search(useCase, Aspect.FREE_IN_WINDOW));
			for (Slot slot : slots) {
				window.checked++;
				if (slot.getStatus() != Slot.SlotStatus.FREE) {
					window.fail("Slot/" + id(slot) + " has status " + (slot.hasStatus() ? slot.getStatus().toCode() : "(none)"),
							ex.request(), ex.entryJson(slot), "status free");
				} else if (!slot.hasStart() || !slot.hasEnd() || slot.getStart().toInstant().isBefore(from)
						|| slot.getStart().toInstant().isAfter(to) || !slot.getEnd().toInstant().isAfter(now)) {
					window.fail("Slot/" + id(slot) + " starts " + slot.getStartElement().getValueAsString() + ", outside the window asked",
							ex.request(), ex.entryJson(slot), "start between " + from + " and " + to + ", not ended");
				}
			}
			if (useCase == UseCase.CPTS) {
				cpts(ex, slots, byKey);
			}
			references(useCase, ex, slots, byKey, sos);
			if (!sos) {
				schedulePerRole(useCase, ex);
			}
			total(useCase, ex, sos);
		}

		private void bundleProfile(UseCase useCase, Exchange ex, boolean sos) {
			Tally t = tally(Checks.search(useCase, Aspect.BUNDLE_PROFILE));
			t.checked++;
			boolean anyCpts = ex.bundle().getEntry().stream().anyMatch(e -> e.getResource() instanceof Slot s && cptsSlot(s));
			String profile = GuideShapes.bundleProfile(sos, anyCpts);
			// The entries have their own check: only what the Bundle itself breaks is this check's.
			List<OperationOutcome.OperationOutcomeIssueComponent> errors = errors(profiles.check(ex.bundle(), profile)).stream()
					.filter(i -> !i.hasExpression() || !i.getExpression().get(0).getValue().matches("Bundle\\.entry\\[\\d+\\]\\.resource.*"))
					.toList();
			if (!errors.isEmpty()) {
				t.fail(profile.substring(profile.lastIndexOf('/') + 1) + ": " + describe(errors.get(0))
								+ (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""),
						ex.request(), Text.clip(ex.json().deepCopy() instanceof com.fasterxml.jackson.databind.node.ObjectNode o
								? o.without("entry").toPrettyString() : ""), "valid against " + profile);
			}
		}

		private void entries(UseCase useCase, Exchange ex, boolean sos) {
			Tally t = tally(Checks.search(useCase, Aspect.ENTRY_PROFILE));
			List<Bundle.BundleEntryComponent> entries = ex.bundle().getEntry();
			for (int i = 0; i < entries.size(); i++) {
				Resource resource = entries.get(i).getResource();
				if (resource == null) {
					t.fail("entry " + i + " has no resource", ex.request(), null, "every entry a resource of the shape");
					continue;
				}
				if (resource instanceof OperationOutcome) {
					continue;
				}
				t.checked++;
				var profile = GuideShapes.entryProfile(sos, resource.fhirType(), resource instanceof Slot s && cptsSlot(s));
				if (profile.isEmpty()) {
					t.fail("a " + resource.fhirType() + " has no place in the answer of this search", ex.request(), ex.entryJson(i),
							"only the types of the guide's Bundle profile");
					continue;
				}
				List<OperationOutcome.OperationOutcomeIssueComponent> errors = errors(profiles.check(resource, profile.get()));
				if (!errors.isEmpty()) {
					t.fail(resource.fhirType() + "/" + id(resource) + " against " + profile.get().substring(profile.get().lastIndexOf('/') + 1)
							+ ": " + describe(errors.get(0)), ex.request(), ex.entryJson(i), "valid against " + profile.get());
				}
			}
		}

		private void cpts(Exchange ex, List<Slot> slots, Map<String, Resource> byKey) {
			Tally window = tally(Checks.search(UseCase.CPTS, Aspect.CPTS_WINDOW));
			Tally service = tally(Checks.search(UseCase.CPTS, Aspect.CPTS_SERVICE));
			Instant limit = now.plus(properties.getCptsWindow());
			for (Slot slot : slots) {
				if (!cptsSlot(slot)) {
					continue;
				}
				window.checked++;
				if (slot.hasStart() && slot.getStart().toInstant().isAfter(limit)) {
					window.fail("CPTS Slot/" + id(slot) + " starts " + slot.getStartElement().getValueAsString() + ", beyond 48 h",
							ex.request(), ex.entryJson(slot), "a CPTS slot starting before " + limit);
				}
				for (Reference reference : serviceReferences(slot)) {
					service.checked++;
					String key = Exchange.key(reference).orElse("");
					if (!(byKey.get(key) instanceof HealthcareService hs)) {
						service.fail("CPTS Slot/" + id(slot) + ": its service " + reference.getReference() + " is not in the answer",
								ex.request(), ex.entryJson(slot), "the HealthcareService (_include=Slot:service-type-reference)");
						continue;
					}
					String orgKey = Exchange.key(hs.getProvidedBy()).orElse("");
					if (!(byKey.get(orgKey) instanceof Organization org)) {
						service.fail("HealthcareService/" + id(hs) + ": its organization " + hs.getProvidedBy().getReference()
										+ " is not in the answer", ex.request(), ex.entryJson(hs),
								"the CPTS Organization (_include:iterate=HealthcareService:organization)");
					} else if (!data.cpts().isEmpty() && org.getIdentifier().stream().noneMatch(i -> heldAs(i, data.cpts()))) {
						service.fail("Organization/" + id(org) + " is not one of the test data's CPTS " + data.cpts(), ex.request(),
								ex.entryJson(org), "a CPTS of the test data (FINESS)");
					}
				}
			}
			if (window.checked == 0) {
				window.note = "no CPTS slot in the answers";
			}
		}

		private void references(UseCase useCase, Exchange ex, List<Slot> slots, Map<String, Resource> byKey, boolean sos) {
			Tally t = tally(Checks.search(useCase, Aspect.REFERENCES));
			List<String> asked = ex.asked().stream().map(a -> a.substring(a.indexOf('|') + 1)).toList();
			for (Slot slot : slots) {
				t.checked++;
				String scheduleKey = Exchange.key(slot.getSchedule()).orElse("");
				if (!(byKey.get(scheduleKey) instanceof Schedule schedule)) {
					t.fail("Slot/" + id(slot) + ": its schedule " + slot.getSchedule().getReference() + " is not in the answer",
							ex.request(), ex.entryJson(slot), sos ? "the Schedule searched" : "its Schedule (_include=Slot:schedule)");
					continue;
				}
				if (sos) {
					continue; // the place and the association: faq.sos-references
				}
				Set<String> identifiers = new java.util.LinkedHashSet<>();
				boolean anyActor = false;
				for (Reference actor : schedule.getActor()) {
					Resource target = byKey.get(Exchange.key(actor).orElse(""));
					if (target instanceof PractitionerRole role) {
						anyActor = true;
						if (byKey.get(Exchange.key(role.getPractitioner()).orElse("")) instanceof Practitioner p) {
							p.getIdentifier().forEach(i -> identifiers.add(i.getValue()));
						}
					} else if (target instanceof Practitioner p) {
						anyActor = true;
						p.getIdentifier().forEach(i -> identifiers.add(i.getValue()));
					}
				}
				if (!anyActor) {
					t.fail("Schedule/" + id(schedule) + ": no Practitioner or PractitionerRole of its actors is in the answer",
							ex.request(), ex.entryJson(schedule), "its actors (_include:iterate=Schedule:actor)");
				} else if (identifiers.stream().noneMatch(v -> matchesAsked(v, asked))) {
					t.fail("Slot/" + id(slot) + " is for " + identifiers + ", not asked", ex.request(), ex.entryJson(slot),
							"slots of the practitioners asked only");
				}
			}
		}

		private void schedulePerRole(UseCase useCase, Exchange ex) {
			Tally t = tally(Checks.search(useCase, Aspect.SCHEDULE_PER_ROLE));
			Map<String, String> scheduleOfRole = new LinkedHashMap<>();
			for (Bundle.BundleEntryComponent entry : ex.bundle().getEntry()) {
				if (!(entry.getResource() instanceof Schedule schedule)) {
					continue;
				}
				t.checked++;
				for (Reference actor : schedule.getActor()) {
					String key = Exchange.key(actor).orElse("");
					if (key.startsWith("PractitionerRole/")) {
						String other = scheduleOfRole.putIfAbsent(key, id(schedule));
						if (other != null && !other.equals(id(schedule))) {
							t.fail(key + " has two Schedules: " + other + " and " + id(schedule), ex.request(), ex.entryJson(schedule),
									"one Schedule per PractitionerRole");
						}
					}
				}
			}
		}

		private void total(UseCase useCase, Exchange ex, boolean sos) {
			Tally t = tally(Checks.search(useCase, Aspect.TOTAL));
			t.checked++;
			Bundle bundle = ex.bundle();
			long matches = bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH).count();
			long slots = bundle.getEntry().stream().filter(e -> e.getResource() instanceof Slot).count();
			long schedules = bundle.getEntry().stream().filter(e -> e.getResource() instanceof Schedule).count();
			Set<Long> accepted = new HashSet<>();
			boolean modes = bundle.getEntry().stream().anyMatch(e -> e.getSearch().hasMode());
			if (modes) {
				accepted.add(matches);
			}
			accepted.add(sos ? schedules : slots);
			if (sos) {
				accepted.add(slots); // the SOS shape's total may count its slots (the store's path does)
			}
			if (!bundle.hasTotal()) {
				t.fail("Bundle.total is absent", ex.request(), null, "total: the number of matches");
			} else if (!accepted.contains((long) bundle.getTotal())) {
				t.fail("total " + bundle.getTotal() + " for " + (modes ? matches + " entries of mode match, " : "") + slots + " slots"
						+ (sos ? ", " + schedules + " schedules" : ""), ex.request(), "\"total\": " + bundle.getTotal(),
						"total = the number of matches " + accepted);
			}
		}

		private void empty(UseCase useCase, Exchange ex) {
			Tally t = tally(Checks.search(useCase, Aspect.EMPTY));
			t.checked++;
			if (!ex.usable() || ex.call().status() != 200) {
				t.fail(ex.usable() ? "status " + ex.call().status() : ex.problem(), ex.request(), ex.head(),
						"200 with a searchset Bundle, total 0");
				return;
			}
			Bundle bundle = ex.bundle();
			long slots = bundle.getEntry().stream().filter(e -> e.getResource() instanceof Slot).count();
			if (!bundle.hasTotal() || bundle.getTotal() != 0 || slots > 0) {
				t.fail("for identifiers nobody holds: total " + (bundle.hasTotal() ? bundle.getTotal() : "absent") + ", " + slots
						+ " slots", ex.request(), ex.head(), "a searchset Bundle with total 0 and no slot");
			}
		}

		private void multiple(UseCase useCase, Exchange single, Exchange multi) {
			Tally t = tally(Checks.search(useCase, Aspect.MULTIPLE));
			if (!single.usable() || !multi.usable()) {
				t.skipped = "an answer could not be read (search." + useCase.code() + ".answer)";
				return;
			}
			Set<String> alone = slotKeys(single.bundle());
			Set<String> among = slotKeys(multi.bundle());
			t.checked += alone.size();
			Set<String> missing = new java.util.TreeSet<>(alone);
			missing.removeAll(among);
			if (!missing.isEmpty()) {
				t.fail(missing.size() + " slot(s) of " + single.asked().get(0) + " asked alone are missing when asked with others: "
						+ missing, multi.request(), null, "the same slots, whatever the number of identifiers asked");
			}
			if (alone.isEmpty()) {
				t.note = "the first test identifier has no free slot in the window";
			}
		}

		private Set<String> slotKeys(Bundle bundle) {
			Set<String> keys = new HashSet<>();
			bundle.getEntry().stream().filter(e -> e.getResource() instanceof Slot).forEach(e -> keys.add("Slot/" + id(e.getResource())));
			return keys;
		}

		// ------------------------------------------------------------ the FAQ's recurring errors

		private void faq() {
			for (Exchange ex : answers) {
				UseCase useCase = answerUseCase.get(ex);
				JsonWalk.walk(ex.json(), (path, node) -> jsonRules(ex, path, node));
				Map<String, Resource> byKey = ex.byKey();
				for (Bundle.BundleEntryComponent entry : ex.bundle().getEntry()) {
					if (entry.getResource() instanceof Slot slot) {
						slotSecurity(ex, slot, useCase == UseCase.SOS);
						if (cptsSlot(slot)) {
							cptsServiceType(ex, slot);
						}
						slot.getSpecialty().forEach(s -> specialty(ex, slot, s));
					} else if (entry.getResource() instanceof PractitionerRole role) {
						role.getSpecialty().forEach(s -> specialty(ex, role, s));
					} else if (entry.getResource() instanceof Schedule schedule && useCase == UseCase.SOS) {
						sosReferences(ex, schedule, byKey);
					}
				}
			}
			for (Check check : Checks.faq()) {
				Tally t = tally(check);
				if (t.skipped == null && t.checked == 0 && t.failures.isEmpty()) {
					t.note = "nothing of this kind in the answers";
				}
			}
		}

		private void jsonRules(Exchange ex, String path, com.fasterxml.jackson.databind.JsonNode node) {
			boolean empty = (node.isTextual() && node.asText().isBlank()) || (node.isContainerNode() && node.isEmpty());
			Tally emptyTally = tally(Checks.EMPTY_ELEMENTS);
			emptyTally.checked++;
			if (empty) {
				emptyTally.fail("an empty element at " + path, ex.request(), path + ": " + node, "no element rather than an empty one");
			}
			if (node.isTextual() && NO_OFFSET.matcher(node.asText()).matches()) {
				tally(Checks.DATE_OFFSET).fail("a date with a time and no offset at " + path, ex.request(), path + ": " + node,
						"an offset (Z, +01:00, +02:00)");
			} else if (node.isTextual() && node.asText().matches("^\\d{4}-\\d{2}-\\d{2}T.*")) {
				tally(Checks.DATE_OFFSET).checked++;
			}
			if (node.isObject() && node.has("system") && node.has("value")) {
				String system = node.path("system").asText();
				String value = node.path("value").asText();
				if (NationalIdentifiers.isNational(system)) {
					Tally t = tally(Checks.PREFIXED_IDENTIFIERS);
					t.checked++;
					if (!NationalIdentifiers.isWellFormed(system, value)) {
						t.fail("national identifier " + value + " at " + path + " without its prefix", ex.request(), path + ": " + node,
								NationalIdentifiers.expectedForms(system));
					}
				}
				if ("phone".equals(system)) {
					Tally t = tally(Checks.PHONE_FORMAT);
					t.checked++;
					if (!PHONE.matcher(value).matches()) {
						t.fail("phone " + value + " at " + path, ex.request(), path + ": " + node, "+33XXXXXXXXX");
					}
				}
			}
		}

		private void slotSecurity(Exchange ex, Slot slot, boolean sos) {
			Tally t = tally(Checks.SLOT_SECURITY);
			t.checked++;
			List<String> types = slot.getMeta().getSecurity().stream()
					.filter(c -> fr.sas.fhir.common.SasCodes.TYPE_CRENEAU.equals(c.getSystem())).map(c -> c.getCode()).toList();
			Set<String> allowed = sos ? SOS_SLOT_TYPES : SLOT_TYPES;
			if (types.isEmpty()) {
				t.fail("Slot/" + id(slot) + " has no slot type in meta.security", ex.request(), ex.entryJson(slot),
						"meta.security with TRE_R314 codes " + allowed);
			} else if (!allowed.containsAll(types)) {
				t.fail("Slot/" + id(slot) + " has slot types " + types, ex.request(), ex.entryJson(slot), "TRE_R314 codes among " + allowed);
			} else if (!serviceReferences(slot).isEmpty() && !types.contains("CPTS")) {
				t.fail("Slot/" + id(slot) + " references a CPTS service without the CPTS slot type", ex.request(), ex.entryJson(slot),
						"meta.security CPTS on a slot opened to a CPTS");
			}
		}

		private void cptsServiceType(Exchange ex, Slot slot) {
			Tally t = tally(Checks.CPTS_SERVICE_TYPE);
			if (!claimed.contains(UseCase.CPTS)) {
				return;
			}
			t.checked++;
			boolean ok = slot.getServiceType().stream().anyMatch(st -> st.getCoding().stream()
					.anyMatch(c -> fr.sas.fhir.common.SasCodes.TRE_R66.equals(c.getSystem()) && "604".equals(c.getCode()))
					&& st.getExtensionsByUrl(fr.sas.fhir.common.SasCodes.SLOT_SERVICE_TYPE).stream()
							.anyMatch(e -> e.getValue() instanceof Reference r && Exchange.key(r).orElse("").startsWith("HealthcareService/")));
			if (!ok) {
				t.fail("CPTS Slot/" + id(slot) + " has no serviceType TRE_R66 604 referencing a HealthcareService", ex.request(),
						ex.entryJson(slot), "serviceType: coding " + fr.sas.fhir.common.SasCodes.TRE_R66
								+ " 604 with the extension-Slot.serviceType reference to the CPTS's HealthcareService");
			}
		}

		private void specialty(Exchange ex, Resource owner, org.hl7.fhir.r4.model.CodeableConcept specialty) {
			Tally t = tally(Checks.SPECIALTY);
			t.checked++;
			if (specialty.isEmpty()) {
				return; // an empty element: faq.empty-elements
			}
			boolean badCoding = specialty.getCoding().stream().anyMatch(c -> !c.hasSystem() || !c.hasCode());
			boolean codeAsText = !specialty.hasCoding() && specialty.hasText() && CODE_AS_TEXT.matcher(specialty.getText().trim()).matches();
			if (badCoding || codeAsText || (!specialty.hasCoding() && !specialty.hasText())) {
				t.fail(owner.fhirType() + "/" + id(owner) + ": specialty " + (codeAsText ? "code '" + specialty.getText() + "' given as text"
								: "coding without system or code"), ex.request(), ex.entryJson(owner),
						"a coding with system and code when coded, else the label as text");
			}
		}

		private void sosReferences(Exchange ex, Schedule schedule, Map<String, Resource> byKey) {
			Tally t = tally(Checks.SOS_REFERENCES);
			t.checked++;
			List<String> asked = ex.asked().stream().map(a -> a.substring(a.indexOf('|') + 1)).toList();
			Location location = schedule.getActor().stream().map(a -> byKey.get(Exchange.key(a).orElse("")))
					.filter(Location.class::isInstance).map(Location.class::cast).findFirst().orElse(null);
			if (location == null) {
				t.fail("Schedule/" + id(schedule) + ": no Location of its actors in the answer", ex.request(), ex.entryJson(schedule),
						"actor: the SOS Médecins place (Location), included (_include=Schedule:actor:Location)");
				return;
			}
			Resource organization = byKey.get(Exchange.key(location.getManagingOrganization()).orElse(""));
			if (!(organization instanceof Organization org)) {
				t.fail("Location/" + id(location) + ": its managingOrganization " + location.getManagingOrganization().getReference()
						+ " is not in the answer", ex.request(), ex.entryJson(location),
						"the association (Organization), included (_include:iterate=Location:organization)");
			} else if (org.getIdentifier().stream().noneMatch(i -> i.hasValue() && matchesAsked(i.getValue(), asked))) {
				t.fail("Organization/" + id(org) + " is not an association asked", ex.request(), ex.entryJson(org),
						"the association of the SIRET asked");
			}
		}

		// ------------------------------------------------------------ answer times

		private void series() {
			UseCase useCase = claimed.contains(UseCase.INDIVIDUAL) ? UseCase.INDIVIDUAL : claimed.iterator().next();
			boolean sos = useCase == UseCase.SOS;
			List<String> all = padded(sos ? NationalIdentifiers.IDNST_SYSTEM : NationalIdentifiers.IDNPS_SYSTEM,
					sos ? data.associations() : data.practitioners(), sos ? ASSOCIATIONS : PRACTITIONERS, sos);
			for (int i = 0; i < properties.getSeries(); i++) {
				search(useCase, all, now, now.plus(properties.getWindow()));
			}
		}

		private void times() {
			Tally kit = tally(Checks.TIME_KIT);
			Tally platform = tally(Checks.TIME_PLATFORM);
			if (searchTimes.isEmpty()) {
				kit.skipped = platform.skipped = "no search was sent";
				return;
			}
			kit.checked = platform.checked = searchTimes.size();
			long over = searchTimes.stream().filter(ms -> ms > 1000).count();
			Map<String, Long> figures = figures();
			String summary = searchTimes.size() + " searches: p50 " + figures.get("p50") + " ms, p95 " + figures.get("p95")
					+ " ms, max " + figures.get("max") + " ms";
			kit.note = summary;
			platform.note = summary;
			if (over > 0) {
				kit.fail(over + " of " + summary + " took more than 1 s", null, null, "every search answered within 1 s");
			}
		}

		private Map<String, Long> figures() {
			List<Long> sorted = searchTimes.stream().sorted().toList();
			Map<String, Long> figures = new LinkedHashMap<>();
			if (sorted.isEmpty()) {
				return figures;
			}
			figures.put("count", (long) sorted.size());
			figures.put("p50", sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1));
			figures.put("p95", sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1));
			figures.put("max", sorted.get(sorted.size() - 1));
			return figures;
		}

		// ------------------------------------------------------------ the report

		private AcceptanceReport report() {
			List<CheckResult> results = new ArrayList<>();
			tallies.forEach((check, t) -> {
				if (!t.failures.isEmpty()) {
					String[] first = t.failures.get(0);
					String more = t.failures.size() > 1 ? " (and " + (t.failures.size() - 1) + " more)" : "";
					results.add(check.fail(first[0] + more, first[1], first[2], first[3]));
				} else if (t.skipped != null) {
					results.add(check.skip(t.skipped));
				} else if (t.checked == 0) {
					results.add(check.skip(t.note != null ? t.note : "nothing to check in the answers"));
				} else {
					results.add(check.pass(t.note != null ? t.note : t.checked + " checked"));
				}
			});
			return new AcceptanceReport(endpoint.address().toString(), claimed.stream().map(UseCase::code).toList(), startedAt,
					Duration.ofNanos(System.nanoTime() - start), requests, List.copyOf(results), figures());
		}
	}

	// ------------------------------------------------------------ helpers

	static boolean cptsSlot(Slot slot) {
		return fr.sas.fhir.common.SasCodes.isCpts(slot) || !serviceReferences(slot).isEmpty();
	}

	static List<Reference> serviceReferences(Slot slot) {
		List<Reference> references = new ArrayList<>();
		slot.getServiceType().forEach(t -> t.getExtensionsByUrl(fr.sas.fhir.common.SasCodes.SLOT_SERVICE_TYPE).forEach(x -> {
			if (x.getValue() instanceof Reference r && r.hasReference()) {
				references.add(r);
			}
		}));
		return references;
	}

	/** Whether an identifier value is one of those asked, prefixed or not (the prefix rule is faq.prefixed-identifiers'). */
	static boolean matchesAsked(String value, List<String> asked) {
		if (value == null) {
			return false;
		}
		String v = value.trim();
		for (String a : asked) {
			if (a.equals(v) || (a.length() > v.length() && a.endsWith(v) && a.length() - v.length() == 1)) {
				return true;
			}
		}
		return false;
	}

	private static boolean heldAs(Identifier identifier, List<String> held) {
		return identifier.hasValue() && matchesAsked(identifier.getValue(), held);
	}

	private static String id(Resource resource) {
		return resource.getIdElement().getIdPart();
	}

	private static List<OperationOutcome.OperationOutcomeIssueComponent> errors(List<OperationOutcome.OperationOutcomeIssueComponent> issues) {
		return issues.stream().filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
				|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL).toList();
	}

	private static String describe(OperationOutcome.OperationOutcomeIssueComponent issue) {
		return (issue.hasExpression() ? issue.getExpression().get(0).getValue() + ": " : "") + Text.firstLine(issue.getDiagnostics());
	}
}
