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
import java.util.TreeSet;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The guide's three slot searches in aggregator mode: the request, read as the dedicated path reads it (400 naming the
 * parameter when it breaks the guide's rules), is sent to the publishers ({@link FanOut}) and, when the store is a
 * source too, answered from the store as well; the answers are merged into one searchset Bundle of the guide's shape:
 * a slot two publishers both return shown once, each publisher's resources with their URL at the publisher
 * ({@code fullUrl}) and {@code meta.source} = the endpoint, and an {@code outcome} entry naming the publishers left
 * out. A request from another server of ours in aggregator mode ({@link PublisherClient#AGGREGATED_HEADER}) is left
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
		FanOut.Result pulled = fanOut.search(useCase, sent(request, sos), search.start().lowest(), search.start().highest(),
				deadline);

		String base = request.getFhirServerBase();
		List<EncodedAnswers.Assembled> matches = new ArrayList<>();
		List<EncodedAnswers.Assembled> includes = new ArrayList<>();
		int slots = 0;
		boolean cpts = false;
		if (properties.uses(AggregatorProperties.Source.STORE)) {
			for (StoreGuideSearch.Entry entry : store.answer(search, request)) {
				var stored = entry.resource();
				(entry.match() ? matches : includes).add(new EncodedAnswers.Assembled(stored.fullUrl(base), stored.json(),
						stored::resource, entry.match() ? MATCH : INCLUDE, entry.match() ? EncodedAnswers.MATCH : EncodedAnswers.INCLUDE));
				if ("Slot".equals(stored.type())) {
					slots++;
					cpts |= stored.resource() instanceof org.hl7.fhir.r4.model.Slot s && fr.sas.fhir.common.SasCodes.isCpts(s);
				}
			}
		}
		List<String> notes = new ArrayList<>(pulled.notes());
		Merged merged = merge(pulled.answers(), sos);
		if (merged.duplicates() > 0) {
			notes.add(merged.duplicates() + " slots returned by several publishers are shown once");
		}
		matches.addAll(merged.matches());
		includes.addAll(merged.includes());
		slots += merged.slots();
		cpts |= merged.cpts();

		Bundle envelope = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		envelope.setId(UUID.randomUUID().toString());
		envelope.getMeta().setLastUpdated(Date.from(clock.instant())).addProfile(GuideShapes.bundleProfile(sos, cpts));
		envelope.setTotal(sos ? slots : matches.size());
		envelope.addLink().setRelation("self").setUrl(request.getCompleteUrl());
		List<EncodedAnswers.Assembled> entries = new ArrayList<>(matches);
		entries.addAll(includes);
		if (!notes.isEmpty()) {
			OperationOutcome outcome = new OperationOutcome();
			notes.forEach(note -> outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
					.setCode(OperationOutcome.IssueType.INCOMPLETE).setDiagnostics(note));
			entries.add(new EncodedAnswers.Assembled(null, null, () -> outcome, OUTCOME, EncodedAnswers.bytes("{\"mode\":\"outcome\"}")));
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

	record Merged(List<EncodedAnswers.Assembled> matches, List<EncodedAnswers.Assembled> includes, int slots,
			boolean cpts, int duplicates) {}

	/**
	 * The publishers' answers as one: a slot of the same practitioner (or association) at the same times, returned
	 * by several publishers, is kept from the first endpoint (by id) only; each answer brings what its kept slots
	 * reference.
	 */
	static Merged merge(List<PulledAnswer> answers, boolean sos) {
		Set<String> seen = new java.util.HashSet<>();
		Map<String, PulledAnswer.Kept> matchResources = new LinkedHashMap<>();
		Map<String, PulledAnswer.Kept> includeResources = new LinkedHashMap<>();
		int slots = 0;
		int duplicates = 0;
		boolean cpts = false;
		for (PulledAnswer answer : answers) {
			for (PulledAnswer.PulledSlot slot : answer.slots()) {
				String key = String.join(",", new TreeSet<>(slot.identifiers())) + "|" + slot.start() + "|" + slot.end();
				if (!seen.add(key)) {
					duplicates++;
					continue;
				}
				slots++;
				cpts |= slot.cpts();
				String match = sos ? slot.schedule() : slot.reference();
				matchResources.putIfAbsent(match, answer.resources().get(match));
				for (String need : slot.needs()) {
					if (!need.equals(match)) {
						includeResources.putIfAbsent(need, answer.resources().get(need));
					}
				}
			}
		}
		matchResources.keySet().forEach(includeResources::remove);
		List<EncodedAnswers.Assembled> matches = new ArrayList<>();
		matchResources.values().forEach(kept -> matches.add(assembled(kept, MATCH, EncodedAnswers.MATCH)));
		List<EncodedAnswers.Assembled> includes = new ArrayList<>();
		includeResources.values().forEach(kept -> includes.add(assembled(kept, INCLUDE, EncodedAnswers.INCLUDE)));
		return new Merged(matches, includes, slots, cpts, duplicates);
	}

	private static EncodedAnswers.Assembled assembled(PulledAnswer.Kept kept, Bundle.BundleEntrySearchComponent mode, byte[] modeJson) {
		// The resource is shared by the cached answer: HAPI's serializer gets a copy.
		return new EncodedAnswers.Assembled(kept.reference(), kept.json(), () -> kept.resource().copy(), mode, modeJson);
	}
}
