package fr.sas.fhir.aggregator;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import fr.sas.fhir.common.EncodedAnswers;
import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.GuideShapes;
import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.common.PageLinks;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.StoreGuideSearch;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.UseCase;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The guide's three slot searches in aggregator mode: the request, read as the dedicated path reads it (400 naming the
 * parameter when it breaks the guide's rules), is sent to the publishers ({@link FanOut}) and, when the store is a
 * source too, answered from the store as well; the answers are merged into one searchset Bundle of the guide's shape:
 * a slot two sources both return shown once ({@link SameSlot}: the publisher's copy rather than the store's), each
 * publisher's resources with their URL at the publisher ({@code fullUrl}) and {@code meta.source} = the endpoint, and
 * an {@code outcome} entry naming the publishers left out. Paged as the store's path is: {@code _count} matches from
 * {@code _offset} in the merged order with the includes of those matches, {@code total} counting all of them. A request from another server of ours in aggregator mode ({@link PublisherClient#AGGREGATED_HEADER}) is left
 * to the store (no loop). Runs after the role matrix's gate and before the dedicated path.
 */
@Interceptor
class AggregatedGuideSearch {

	private static final Bundle.BundleEntrySearchComponent MATCH =
			new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.MATCH);
	private static final Bundle.BundleEntrySearchComponent INCLUDE =
			new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.INCLUDE);
	private static final Bundle.BundleEntrySearchComponent OUTCOME =
			new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.OUTCOME);

	private final FanOut fanOut;
	private final StoreGuideSearch store;
	private final AggregatorProperties properties;
	private final SasProperties sas;
	private final IInterceptorBroadcaster storageInterceptors;
	private final Clock clock;

	AggregatedGuideSearch(FanOut fanOut, StoreGuideSearch store, AggregatorProperties properties, SasProperties sas,
			IInterceptorBroadcaster storageInterceptors, Clock clock) {
		this.fanOut = fanOut;
		this.store = store;
		this.properties = properties;
		this.sas = sas;
		this.storageInterceptors = storageInterceptors;
		this.clock = clock;
	}

	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -50)
	public boolean answerFromPublishers(RequestDetails request, HttpServletRequest httpRequest, HttpServletResponse httpResponse)
			throws IOException {
		if (!properties.uses(AggregatorProperties.Source.PUBLISHERS) || request.getHeader(PublisherClient.AGGREGATED_HEADER) != null
				|| !GuideSearchRequest.isSearch(request)) {
			return true;
		}
		try {
			var read = GuideSearchRequest.read(request.getResourceName(), request.getParameters(),
					sas.getSearch().getMaxPractitioners(), sas.getSearch().getMaxSosAssociations(),
					sas.getFhir().getMaxPageSize(), clock.getZone());
			if (read.isEmpty()) {
				return true;
			}
			answer(read.get(), request, httpRequest, httpResponse);
		} catch (InvalidRequestException refused) {
			EncodedAnswers.refuse(request, refused);
		}
		return false;
	}

	private void answer(GuideSearchRequest search, RequestDetails request, HttpServletRequest httpRequest,
			HttpServletResponse httpResponse) throws IOException {
		EncodedAnswers.preHandled(request);
		boolean sos = search.shape() == GuideSearchRequest.Shape.SOS;
		UseCase useCase = sos ? UseCase.SOS : search.includes().stream()
				.anyMatch(i -> "service-type-reference".equals(i.param())) ? UseCase.CPTS : UseCase.INDIVIDUAL;
		long deadline = System.nanoTime() + properties.getSearchBudget().toNanos();
		List<String> sent = sent(request, sos);
		FanOut.Result pulled = fanOut.search(useCase, sent, search.start().lowest(), search.start().highest(), deadline);

		List<String> notes = new ArrayList<>(pulled.notes());
		SameSlot same = new SameSlot();
		Merged merged = merge(pulled.answers(), sos, same);
		if (merged.duplicates() > 0) {
			notes.add(merged.duplicates() + " slots returned by several publishers are shown once");
		}
		// The guide's Bundle profiles allow one link (self): without _count every match comes in one page, up to the
		// largest page, as the store's path does.
		int pageSize = search.count() != null ? search.count() : sas.getFhir().getMaxPageSize();
		List<Match> matches = new ArrayList<>();
		Map<String, EncodedAnswers.Assembled> includes = new LinkedHashMap<>();
		if (properties.uses(AggregatorProperties.Source.STORE)) {
			List<StoreGuideSearch.Entry> stored = store.answer(search, request);
			StoreMatches fromStore = StoreMatches.of(stored, request.getFhirServerBase(), sos, new AnswerCheck.Asked(sent), same,
					request.getFhirContext().newTerser());
			if (fromStore.duplicates() > 0) {
				notes.add(fromStore.duplicates() + " slots of this server's store were also returned by their publisher: shown once,"
						+ " as the publisher returned them");
			}
			matches.addAll(fromStore.matches());
			includes.putAll(fromStore.includes());
		}
		matches.addAll(merged.matches());
		merged.includes().forEach(includes::putIfAbsent);

		// The page: _count matches from _offset in the merged order (the store's, then each publisher's by endpoint id),
		// with what they bring along; total counts every match (SOS: their slots).
		int from = Math.min(search.offset(), matches.size());
		List<Match> page = matches.subList(from, Math.min(matches.size(), from + pageSize));
		Set<String> onPage = new LinkedHashSet<>();
		page.forEach(m -> onPage.add(m.reference()));
		Set<String> along = new LinkedHashSet<>();
		page.forEach(m -> m.includes().stream().filter(r -> !onPage.contains(r)).forEach(along::add));
		boolean cpts = page.stream().anyMatch(Match::cpts);

		Bundle envelope = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		envelope.setId(UUID.randomUUID().toString());
		envelope.getMeta().setLastUpdated(Date.from(clock.instant())).addProfile(GuideShapes.bundleProfile(sos, cpts));
		envelope.setTotal(sos ? matches.stream().mapToInt(Match::slots).sum() : matches.size());
		String self = request.getCompleteUrl();
		envelope.addLink().setRelation("self").setUrl(self);
		if (pageSize > 0 && search.offset() + pageSize < matches.size()) {
			envelope.addLink().setRelation("next").setUrl(PageLinks.withOffset(self, search.offset() + pageSize, pageSize));
		}
		if (search.offset() > 0) {
			envelope.addLink().setRelation("previous")
					.setUrl(PageLinks.withOffset(self, Math.max(0, search.offset() - pageSize), pageSize));
		}
		List<EncodedAnswers.Assembled> entries = new ArrayList<>();
		page.forEach(m -> entries.add(m.entry()));
		along.forEach(r -> {
			if (includes.containsKey(r)) {
				entries.add(includes.get(r));
			}
		});
		if (!notes.isEmpty()) {
			// A searchset's entries each need a fullUrl (the validator's rule): the outcome, made for this answer, a urn:uuid.
			String id = UUID.randomUUID().toString();
			OperationOutcome outcome = new OperationOutcome();
			outcome.setId(id);
			notes.forEach(note -> outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
					.setCode(OperationOutcome.IssueType.INCOMPLETE).setDiagnostics(note));
			entries.add(new EncodedAnswers.Assembled("urn:uuid:" + id, null, () -> outcome, OUTCOME,
					EncodedAnswers.bytes("{\"mode\":\"outcome\"}")));
		}
		EncodedAnswers.answer(request, storageInterceptors, envelope, entries, httpRequest, httpResponse);
	}

	/** The identifiers as the caller sent them (a bare value in the chain's national system). */
	private static List<String> sent(RequestDetails request, boolean sos) {
		String[] values = request.getParameters().get(sos ? GuideSearchRequest.SOS_CHAIN : GuideSearchRequest.PRACTITIONER_CHAIN);
		Set<String> out = new LinkedHashSet<>();
		for (String part : values[0].split(",")) {
			String token = part.trim();
			if (!token.isEmpty()) {
				out.add(token.contains("|") ? token
						: (sos ? NationalIdentifiers.IDNST_SYSTEM : NationalIdentifiers.IDNPS_SYSTEM) + "|" + token);
			}
		}
		return List.copyOf(out);
	}

	/**
	 * A match of the merged answer (a Slot; a Schedule for the SOS shape), the references of what comes along with it
	 * (its schedule and actors, its CPTS service; an SOS schedule's slots), and the slots it counts for.
	 */
	record Match(String reference, EncodedAnswers.Assembled entry, Set<String> includes, int slots, boolean cpts) {}

	/** The publishers' matches, what they bring along by reference, the slots they hold, those shown once. */
	record Merged(List<Match> matches, Map<String, EncodedAnswers.Assembled> includes, int slots, int duplicates) {}

	/**
	 * The publishers' answers as one: a slot of the same practitioner (or association) at the same times, returned
	 * by several publishers, is kept from the first endpoint (by id) only ({@link SameSlot}); each answer brings
	 * what its kept slots reference.
	 */
	static Merged merge(List<PulledAnswer> answers, boolean sos, SameSlot same) {
		Map<String, PulledAnswer.Kept> matchResources = new LinkedHashMap<>();
		Map<String, Set<String>> needs = new LinkedHashMap<>();
		Map<String, Integer> slotsOf = new LinkedHashMap<>();
		Map<String, Boolean> cptsOf = new LinkedHashMap<>();
		Map<String, PulledAnswer.Kept> includeResources = new LinkedHashMap<>();
		int slots = 0;
		int duplicates = 0;
		for (PulledAnswer answer : answers) {
			for (PulledAnswer.PulledSlot slot : answer.slots()) {
				if (!same.first(slot.identifiers(), slot.start(), slot.end())) {
					duplicates++;
					continue;
				}
				slots++;
				String match = sos ? slot.schedule() : slot.reference();
				matchResources.putIfAbsent(match, answer.resources().get(match));
				slotsOf.merge(match, 1, Integer::sum);
				cptsOf.merge(match, slot.cpts(), Boolean::logicalOr);
				Set<String> its = needs.computeIfAbsent(match, k -> new LinkedHashSet<>());
				for (String need : slot.needs()) {
					if (!need.equals(match)) {
						its.add(need);
						includeResources.putIfAbsent(need, answer.resources().get(need));
					}
				}
			}
		}
		List<Match> matches = new ArrayList<>();
		matchResources.forEach((reference, kept) -> matches.add(new Match(reference, assembled(kept, MATCH, EncodedAnswers.MATCH),
				needs.get(reference), slotsOf.get(reference), cptsOf.get(reference))));
		Map<String, EncodedAnswers.Assembled> includes = new LinkedHashMap<>();
		includeResources.forEach((reference, kept) -> includes.put(reference, assembled(kept, INCLUDE, EncodedAnswers.INCLUDE)));
		return new Merged(matches, includes, slots, duplicates);
	}

	private static EncodedAnswers.Assembled assembled(PulledAnswer.Kept kept, Bundle.BundleEntrySearchComponent mode, byte[] modeJson) {
		// The resource is shared by the cached answer: HAPI's serializer gets a copy.
		return new EncodedAnswers.Assembled(kept.reference(), kept.json(), () -> kept.resource().copy(), mode, modeJson);
	}
}
