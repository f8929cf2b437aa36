package fr.sas.fhir.aggregator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import fr.sas.fhir.common.GuideShapes;
import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.ProfileCheck;
import fr.sas.fhir.common.SasCodes;
import fr.sas.fhir.publishers.CheckedAnswer;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.UseCase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.Bundle;
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
 * Checks a publisher's answer before anything of it is used. The answer: a 2xx status, FHIR JSON, a
 * {@code searchset} Bundle (else the whole answer is an error of that endpoint). Each entry: of a type the shape
 * holds, valid against the profile of its shape ({@link GuideShapes}, with the validation the server applies to its
 * own writes); each slot: free, starting within the window asked, not ended, a CPTS slot within the CPTS window, its
 * schedule in the answer, for a practitioner (individual, CPTS) or an association (SOS) that was asked. What fails is
 * dropped with its rule; what is kept carries {@code meta.source} = the endpoint, and only what the kept slots
 * reference is kept with them.
 */
final class AnswerCheck {

	static final String ANSWER = "SAS-aggregator-answer";
	static final String TYPE = "SAS-aggregator-type";
	static final String PROFILE = "SAS-aggregator-profile";
	static final String NOT_FREE = "SAS-aggregator-not-free";
	static final String WINDOW = "SAS-aggregator-window";
	static final String CPTS_WINDOW = "SAS-aggregator-cpts-window";
	static final String NOT_ASKED = "SAS-aggregator-not-asked";
	static final String UNRESOLVED = "SAS-aggregator-unresolved";
	private static final int SAMPLES = 5;

	private final FhirContext fhirContext;
	private final ProfileCheck profiles;
	private final Duration cptsWindow;

	AnswerCheck(FhirContext fhirContext, ProfileCheck profiles, Duration cptsWindow) {
		this.fhirContext = fhirContext;
		this.profiles = profiles;
		this.cptsWindow = cptsWindow;
	}

	/** The identifiers asked, as sent ({@code system|value}), and their national forms, prefixed or not. */
	static final class Asked {
		private final Map<String, String> byValue = new LinkedHashMap<>();

		Asked(List<String> sent) {
			for (String token : sent) {
				int bar = token.indexOf('|');
				String system = bar < 0 ? null : token.substring(0, bar);
				String value = token.substring(bar + 1);
				byValue.putIfAbsent(value, token);
				if (system != null) {
					NationalIdentifiers.prefixed(system, value).ifPresent(p -> byValue.putIfAbsent(p, token));
				}
				for (String nationalSystem : List.of(NationalIdentifiers.IDNPS_SYSTEM, NationalIdentifiers.IDNST_SYSTEM)) {
					NationalIdentifiers.prefixed(nationalSystem, value).ifPresent(p -> byValue.putIfAbsent(p, token));
				}
			}
		}

		/** The asked token an identifier of an answer is, if any (its value in either form, a national system). */
		Optional<String> of(Identifier identifier) {
			if (!identifier.hasValue() || (identifier.hasSystem() && !NationalIdentifiers.isNational(identifier.getSystem()))) {
				return Optional.empty();
			}
			String value = identifier.getValue().trim();
			String token = byValue.get(value);
			if (token == null && identifier.hasSystem()) {
				token = NationalIdentifiers.prefixed(identifier.getSystem(), value).map(byValue::get).orElse(null);
			}
			return Optional.ofNullable(token);
		}
	}

	PulledAnswer check(PublisherCall call, UseCase useCase, Asked asked, Instant from, Instant to, Instant now) {
		Findings findings = new Findings();
		String refused = refusal(call);
		Bundle bundle = null;
		if (refused == null) {
			try {
				IParser parser = fhirContext.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false));
				Resource parsed = (Resource) parser.parseResource(new String(call.body(), StandardCharsets.UTF_8));
				if (!(parsed instanceof Bundle b)) {
					refused = "the answer is a " + parsed.fhirType() + ", not a Bundle";
				} else if (b.getType() != Bundle.BundleType.SEARCHSET) {
					refused = "the answer is a Bundle of type " + (b.hasType() ? b.getType().toCode() : "(none)") + ", not searchset";
				} else {
					bundle = b;
				}
			} catch (DataFormatException | ClassCastException | IllegalArgumentException e) {
				refused = "the answer is not FHIR JSON: " + firstLine(e.getMessage());
			}
		}
		if (refused != null) {
			CheckedAnswer checked = new CheckedAnswer(call, refused, 0, Map.of(ANSWER, 1), List.of(refused), 0);
			return new PulledAnswer(call.endpoint(), useCase, checked, Map.of(), List.of(), List.of(), Set.of());
		}
		boolean sos = useCase == UseCase.SOS;
		String base = call.endpoint().address().toString();
		Map<String, Resource> valid = new LinkedHashMap<>();
		List<String> matchOrder = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Resource resource = entry.getResource();
			if (resource == null) {
				findings.drop(TYPE, "an entry without resource" + (entry.hasFullUrl() ? " (" + entry.getFullUrl() + ")" : ""));
				continue;
			}
			if (resource instanceof OperationOutcome) {
				continue; // the publisher's own remarks
			}
			String type = resource.fhirType();
			String reference = reference(base, entry, resource);
			Optional<String> profile = GuideShapes.entryProfile(sos, type, resource instanceof Slot slot && cpts(slot));
			if (profile.isEmpty()) {
				findings.drop(TYPE, reference + ": a " + type + " has no place in the answer of this search");
				continue;
			}
			List<OperationOutcome.OperationOutcomeIssueComponent> issues = profiles.check(resource, profile.get());
			if (ProfileCheck.hasErrors(issues)) {
				findings.drop(PROFILE, reference + " (" + profile.get().substring(profile.get().lastIndexOf('/') + 1) + "): "
						+ firstError(issues));
				continue;
			}
			valid.put(reference, resource);
			boolean match = sos ? resource instanceof Schedule : resource instanceof Slot;
			if (match) {
				matchOrder.add(reference);
			}
		}
		Graph graph = new Graph(base, valid, asked);
		List<PulledAnswer.PulledSlot> slots = new ArrayList<>();
		Set<String> keep = new LinkedHashSet<>();
		Set<String> found = new LinkedHashSet<>();
		for (Map.Entry<String, Resource> e : valid.entrySet()) {
			if (!(e.getValue() instanceof Slot slot)) {
				continue;
			}
			String reference = e.getKey();
			String problem = slotProblem(slot, from, to, now);
			if (problem != null) {
				findings.drop(problem, reference + ": " + describeSlot(slot, problem));
				continue;
			}
			String scheduleRef = graph.qualify(base, slot.getSchedule());
			if (!(valid.get(scheduleRef) instanceof Schedule schedule)) {
				findings.drop(UNRESOLVED, reference + ": its schedule " + slot.getSchedule().getReference() + " is not in the answer");
				continue;
			}
			Graph.Owner owner = sos ? graph.association(scheduleRef, schedule) : graph.practitioner(scheduleRef, schedule);
			if (owner.unresolved() != null) {
				findings.drop(UNRESOLVED, reference + ": " + owner.unresolved());
				continue;
			}
			if (owner.asked().isEmpty()) {
				findings.drop(NOT_ASKED, reference + ": for " + String.join(", ", owner.identifiers()) + ", not asked");
				continue;
			}
			Set<String> services = new LinkedHashSet<>();
			Set<String> serviceOrganizations = new LinkedHashSet<>();
			slot.getServiceType().forEach(t -> t.getExtensionsByUrl(SasCodes.SLOT_SERVICE_TYPE).forEach(x -> {
				if (x.getValue() instanceof Reference r && r.hasReference()) {
					String service = graph.qualify(base, r);
					services.add(service);
					serviceOrganizations.addAll(graph.serviceOrganization(service));
				}
			}));
			found.addAll(owner.asked());
			Set<String> needs = new LinkedHashSet<>();
			needs.add(reference);
			needs.add(scheduleRef);
			needs.addAll(owner.resources());
			for (String service : services) {
				if (valid.containsKey(service)) {
					needs.add(service);
					graph.providedBy(service).ifPresent(needs::add);
				}
			}
			keep.addAll(needs);
			slots.add(new PulledAnswer.PulledSlot(reference, slot, scheduleRef, Set.copyOf(owner.asked()), owner.place(),
					slot.getStart().toInstant(), slot.getEnd().toInstant(), Set.copyOf(serviceOrganizations), needs));
		}
		Map<String, PulledAnswer.Kept> kept = new LinkedHashMap<>();
		for (String reference : keep) {
			Resource resource = valid.get(reference);
			if (resource != null) {
				resource.getMeta().setSource(base);
				byte[] json = fhirContext.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
				kept.put(reference, new PulledAnswer.Kept(reference, resource, json));
			}
		}
		List<String> matches = matchOrder.stream().filter(kept::containsKey).toList();
		CheckedAnswer checked = new CheckedAnswer(call, null, kept.size(), findings.dropped, findings.samples, slots.size());
		return new PulledAnswer(call.endpoint(), useCase, checked, kept, matches, slots, found);
	}

	/** Why the call's answer cannot be read at all, or null. */
	private static String refusal(PublisherCall call) {
		if (!call.answered()) {
			return call.describe();
		}
		String type = call.contentType() == null ? "" : call.contentType().toLowerCase();
		if (!type.contains("json")) {
			return "the answer's content type is '" + (call.contentType() == null ? "(none)" : call.contentType())
					+ "', not FHIR JSON";
		}
		return null;
	}

	private String slotProblem(Slot slot, Instant from, Instant to, Instant now) {
		if (slot.getStatus() != Slot.SlotStatus.FREE) {
			return NOT_FREE;
		}
		Instant start = slot.getStart().toInstant();
		Instant end = slot.getEnd().toInstant();
		if (start.isBefore(from) || start.isAfter(to) || !end.isAfter(now)) {
			return WINDOW;
		}
		if (cpts(slot) && start.isAfter(now.plus(cptsWindow))) {
			return CPTS_WINDOW;
		}
		return null;
	}

	private String describeSlot(Slot slot, String problem) {
		return switch (problem) {
			case NOT_FREE -> "status " + slot.getStatus().toCode() + ", only free slots are offered";
			case WINDOW -> "starts " + slot.getStartElement().getValueAsString() + ", outside the window asked (or ended)";
			case CPTS_WINDOW -> "a CPTS slot starting " + slot.getStartElement().getValueAsString() + ", beyond the CPTS window ("
					+ cptsWindow.toHours() + " h)";
			default -> problem;
		};
	}

	private static boolean cpts(Slot slot) {
		return SasCodes.isCpts(slot) || slot.getServiceType().stream()
				.anyMatch(t -> !t.getExtensionsByUrl(SasCodes.SLOT_SERVICE_TYPE).isEmpty());
	}

	/** The entry's absolute URL: its fullUrl when it is one, else the endpoint's base + type/id. */
	private static String reference(String base, Bundle.BundleEntryComponent entry, Resource resource) {
		String fullUrl = entry.getFullUrl();
		if (fullUrl != null && (fullUrl.startsWith("http://") || fullUrl.startsWith("https://"))) {
			return stripVersion(fullUrl);
		}
		return base + "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart();
	}

	private static String stripVersion(String url) {
		int history = url.indexOf("/_history/");
		return history < 0 ? url : url.substring(0, history);
	}

	private static String firstError(List<OperationOutcome.OperationOutcomeIssueComponent> issues) {
		return issues.stream().filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
						|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
				.map(i -> (i.hasExpression() ? i.getExpression().get(0).getValue() + ": " : "") + firstLine(i.getDiagnostics()))
				.findFirst().orElse("invalid");
	}

	private static String firstLine(String text) {
		if (text == null) {
			return "";
		}
		int newline = text.indexOf('\n');
		String line = newline < 0 ? text : text.substring(0, newline);
		return line.length() > 300 ? line.substring(0, 300) + "..." : line;
	}

	/** What was dropped, by rule, and a few examples. */
	private static final class Findings {
		final Map<String, Integer> dropped = new TreeMap<>();
		final List<String> samples = new ArrayList<>();

		void drop(String rule, String sample) {
			dropped.merge(rule, 1, Integer::sum);
			if (samples.size() < SAMPLES) {
				samples.add(rule + ": " + sample);
			}
		}
	}

	/** The references between the valid resources of one answer. */
	private static final class Graph {
		private final String base;
		private final Map<String, Resource> resources;
		private final Asked asked;

		Graph(String base, Map<String, Resource> resources, Asked asked) {
			this.base = base;
			this.resources = resources;
			this.asked = asked;
		}

		/** Who a schedule's slots are for, the resources saying so, and the place. */
		record Owner(Set<String> identifiers, Set<String> asked, Set<String> resources, String place, String unresolved) {}

		String qualify(String base, Reference reference) {
			String value = reference.getReference();
			if (value == null) {
				return "";
			}
			if (value.startsWith("http://") || value.startsWith("https://")) {
				return stripVersion(value);
			}
			return base + "/" + reference.getReferenceElement().toUnqualifiedVersionless().getValue();
		}

		/** Individual and CPTS: the schedule's practitioner, through its Practitioner actor or its role's. */
		Owner practitioner(String scheduleRef, Schedule schedule) {
			Set<String> identifiers = new LinkedHashSet<>();
			Set<String> askedFound = new LinkedHashSet<>();
			Set<String> used = new LinkedHashSet<>();
			String place = null;
			for (Reference actor : schedule.getActor()) {
				String ref = qualify(base, actor);
				Resource target = resources.get(ref);
				if (target instanceof PractitionerRole role) {
					used.add(ref);
					place = ref;
					if (role.hasPractitioner()) {
						String practitioner = qualify(base, role.getPractitioner());
						if (resources.get(practitioner) instanceof Practitioner p) {
							used.add(practitioner);
							collect(p.getIdentifier(), identifiers, askedFound);
						}
					}
				} else if (target instanceof Practitioner p) {
					used.add(ref);
					collect(p.getIdentifier(), identifiers, askedFound);
				}
			}
			if (used.isEmpty()) {
				return new Owner(identifiers, askedFound, used, null, "its schedule " + scheduleRef.substring(base.length() + 1)
						+ " has no Practitioner or PractitionerRole in the answer");
			}
			return new Owner(identifiers, askedFound, used, place, null);
		}

		/** SOS Médecins: the schedule's place and the association managing it. */
		Owner association(String scheduleRef, Schedule schedule) {
			Set<String> identifiers = new LinkedHashSet<>();
			Set<String> askedFound = new LinkedHashSet<>();
			Set<String> used = new LinkedHashSet<>();
			String place = null;
			for (Reference actor : schedule.getActor()) {
				String ref = qualify(base, actor);
				if (resources.get(ref) instanceof Location location) {
					used.add(ref);
					place = ref;
					String organization = qualify(base, location.getManagingOrganization());
					if (resources.get(organization) instanceof Organization o) {
						used.add(organization);
						collect(o.getIdentifier(), identifiers, askedFound);
					}
				}
			}
			if (place == null) {
				return new Owner(identifiers, askedFound, used, null, "its schedule " + scheduleRef.substring(base.length() + 1)
						+ " has no Location in the answer");
			}
			return new Owner(identifiers, askedFound, used, place, null);
		}

		/** The national identifiers of the organization providing a CPTS service. */
		Set<String> serviceOrganization(String service) {
			Set<String> out = new HashSet<>();
			providedBy(service).ifPresent(org -> {
				if (resources.get(org) instanceof Organization o) {
					o.getIdentifier().stream().filter(Identifier::hasValue)
							.forEach(i -> out.add((i.hasSystem() ? i.getSystem() : NationalIdentifiers.IDNST_SYSTEM) + "|" + i.getValue()));
				}
			});
			return out;
		}

		Optional<String> providedBy(String service) {
			if (resources.get(service) instanceof HealthcareService hs && hs.hasProvidedBy()) {
				String org = qualify(base, hs.getProvidedBy());
				return resources.containsKey(org) ? Optional.of(org) : Optional.empty();
			}
			return Optional.empty();
		}

		private void collect(List<Identifier> of, Set<String> identifiers, Set<String> askedFound) {
			for (Identifier identifier : of) {
				if (identifier.hasValue()) {
					identifiers.add((identifier.hasSystem() ? identifier.getSystem() + "|" : "") + identifier.getValue());
					asked.of(identifier).ifPresent(askedFound::add);
				}
			}
		}
	}
}
