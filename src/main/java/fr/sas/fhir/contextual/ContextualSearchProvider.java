package fr.sas.fhir.contextual;

import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import fr.sas.fhir.common.EncodedAnswers;
import fr.sas.fhir.common.SlotSource;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.util.UrlUtil;
import fr.sas.fhir.common.FhirOperationProvider;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Slot;
import org.hl7.fhir.r4.model.StringType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|POST [base]/Slot/$contextual-search}: the LRM deep link's parameters, under their names, so that an
 * LRM's integration maps one to one ({@code speciality} is read as {@code specialty}). The answer is a searchset
 * Bundle: the Slots card by card (match), what they reference (include), and what the caller should know without
 * a refusal (an OperationOutcome entry, mode outcome). Its OperationDefinition is
 * {@code profiles/OperationDefinition-Slot-contextual-search.json}.
 */
public class ContextualSearchProvider implements FhirOperationProvider {

	private static final Logger AUDIT = LoggerFactory.getLogger("fr.sas.fhir.contextual.audit");

	private final ContextualSearch search;
	private final IInterceptorBroadcaster storageInterceptors;
	private final ContextualProperties properties;
	private final Clock clock;
	private final java.time.ZoneId zone;
	private final IHapiTransactionService transactions;

	public ContextualSearchProvider(ContextualSearch search, ContextualProperties properties, Clock clock, java.time.ZoneId zone,
			IInterceptorBroadcaster storageInterceptors, IHapiTransactionService transactions) {
		this.transactions = transactions;
		this.storageInterceptors = storageInterceptors;
		this.search = search;
		this.properties = properties;
		this.clock = clock;
		this.zone = zone;
	}

	/**
	 * Written by this method (manual response): compact JSON from the encoded resources, as the slot searches
	 * do ({@link EncodedAnswers}); any other answer through HAPI's serializer, the outgoing hooks called alike.
	 */
	@Operation(name = "$contextual-search", type = Slot.class, idempotent = true, manualResponse = true)
	@Description(shortDefinition = "INT_L01: the bookable slots around a patient, ranked, from the regulator's call")
	public void contextualSearch(
			@OperationParam(name = "origin") StringType origin,
			@OperationParam(name = "practitioner") StringType practitioner,
			@OperationParam(name = "specialty") StringType specialty,
			@OperationParam(name = "speciality") StringType speciality,
			@OperationParam(name = "streetnumber") StringType streetNumber,
			@OperationParam(name = "streetname") StringType streetName,
			@OperationParam(name = "city") StringType city,
			@OperationParam(name = "inseecode") StringType inseeCode,
			@OperationParam(name = "postalcode") StringType postalCode,
			@OperationParam(name = "latitude") StringType latitude,
			@OperationParam(name = "longitude") StringType longitude,
			@OperationParam(name = "departement") StringType departement,
			@OperationParam(name = "radius") StringType radius,
			@OperationParam(name = "start") StringType start,
			@OperationParam(name = "end") StringType end,
			@OperationParam(name = "consultation-type", max = OperationParam.MAX_UNLIMITED) List<StringType> consultationType,
			@OperationParam(name = "slot-type", max = OperationParam.MAX_UNLIMITED) List<StringType> slotType,
			@OperationParam(name = "appointment-type", max = OperationParam.MAX_UNLIMITED) List<StringType> appointmentType,
			@OperationParam(name = "source", max = OperationParam.MAX_UNLIMITED) List<StringType> source,
			@OperationParam(name = "_count") StringType count,
			@OperationParam(name = "_offset") StringType offset,
			RequestDetails request, HttpServletRequest httpRequest, HttpServletResponse httpResponse) throws IOException {
		long began = System.nanoTime();
		Map<String, List<String>> parameters = new LinkedHashMap<>();
		put(parameters, "origin", origin);
		put(parameters, "practitioner", practitioner);
		put(parameters, "specialty", specialty);
		put(parameters, "speciality", speciality);
		put(parameters, "streetnumber", streetNumber);
		put(parameters, "streetname", streetName);
		put(parameters, "city", city);
		put(parameters, "inseecode", inseeCode);
		put(parameters, "postalcode", postalCode);
		put(parameters, "latitude", latitude);
		put(parameters, "longitude", longitude);
		put(parameters, "departement", departement);
		put(parameters, "radius", radius);
		put(parameters, "start", start);
		put(parameters, "end", end);
		putAll(parameters, "consultation-type", consultationType);
		putAll(parameters, "slot-type", slotType);
		putAll(parameters, "appointment-type", appointmentType);
		putAll(parameters, "source", source);
		put(parameters, "_count", count);
		put(parameters, "_offset", offset);
		// HAPI binds a GET's repeated parameter once: read the query itself for the repeatable ones.
		if (request.getRequestType() == RequestTypeEnum.GET) {
			for (String name : List.of("consultation-type", "slot-type", "appointment-type", "source", "_count", "_offset")) {
				String[] values = request.getParameters().get(name);
				if (values != null) {
					parameters.put(name, List.of(values));
				}
			}
		}

		String originCode = origin == null ? null : origin.getValue();
		if (!properties.getOrigins().isEmpty() && (originCode == null || !properties.getOrigins().contains(originCode))) {
			throw ContextualRefusal.unknownOrigin(String.valueOf(originCode));
		}
		ContextualQuery query = ContextualQuery.read(parameters, clock, zone, properties.getMaxWindow());
		String base = request.getFhirServerBase();
		String self = self(request, base, parameters);
		// One read-only transaction, so one connection, for the card query and the dozen reads of slots and
		// includes (each would otherwise open its own).
		Ranked ranked;
		List<String> notes = new ArrayList<>();
		// The slot source's search: slots fetched from publishers stay readable until the page is built.
		try (SlotSource.Search pulled = search.begin()) {
			ranked = transactions.withSystemRequest().readOnly().execute(() -> {
				ContextualSearch.Result found = search.rank(query);
				return new Ranked(found, search.page(found, query, base, self));
			});
			notes.addAll(ranked.result().notes());
			notes.addAll(pulled.notes());
		}
		ContextualSearch.Result result = ranked.result();
		ContextualSearch.Page page = ranked.page();
		Bundle envelope = page.envelope();
		envelope.setId(UUID.randomUUID().toString());
		envelope.getMeta().setLastUpdated(java.util.Date.from(clock.instant()));
		List<ContextualSearch.PageEntry> entries = new ArrayList<>(page.entries());
		if (!notes.isEmpty()) {
			OperationOutcome outcome = new OperationOutcome();
			notes.forEach(note -> outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
					.setCode(OperationOutcome.IssueType.INFORMATIONAL).setDiagnostics(note));
			Bundle.BundleEntrySearchComponent mode = new Bundle.BundleEntrySearchComponent().setMode(Bundle.SearchEntryMode.OUTCOME);
			entries.add(new ContextualSearch.PageEntry(null, null, outcome, mode, EncodedAnswers.bytes("{\"mode\":\"outcome\"}")));
		}
		write(new ContextualSearch.Page(envelope, entries), request, httpRequest, httpResponse);
		AUDIT.info("contextual-search origin={} place={} precision={} radius={}km cards={} slots={} in {} ms", originCode,
				result.place().description(), result.place().precision(), result.place().radiusKm(), result.ranked().size(),
				result.totalSlots(), (System.nanoTime() - began) / 1_000_000);
	}

	private record Ranked(ContextualSearch.Result result, ContextualSearch.Page page) {}

	private void write(ContextualSearch.Page page, RequestDetails request, HttpServletRequest httpRequest,
			HttpServletResponse httpResponse) throws IOException {
		List<EncodedAnswers.Assembled> entries = new ArrayList<>(page.entries().size());
		for (ContextualSearch.PageEntry entry : page.entries()) {
			entries.add(new EncodedAnswers.Assembled(entry.fullUrl(), entry.stored() != null ? entry.stored().json() : null,
					entry::resource, entry.search(), entry.searchJson()));
		}
		EncodedAnswers.answer(request, storageInterceptors, page.envelope(), entries, httpRequest, httpResponse);
	}

	private static String self(RequestDetails request, String base, Map<String, List<String>> parameters) {
		if (request.getRequestType() == RequestTypeEnum.GET) {
			return request.getCompleteUrl();
		}
		List<String> query = new ArrayList<>();
		parameters.forEach((name, values) -> values.forEach(v -> query.add(name + "=" + UrlUtil.escapeUrlParam(v))));
		return base + "/Slot/$contextual-search" + (query.isEmpty() ? "" : "?" + String.join("&", query));
	}

	private static void put(Map<String, List<String>> parameters, String name, IPrimitiveType<String> value) {
		if (value != null && value.getValue() != null) {
			parameters.put(name, List.of(value.getValue()));
		}
	}

	private static void putAll(Map<String, List<String>> parameters, String name, List<StringType> values) {
		if (values != null && !values.isEmpty()) {
			parameters.put(name, values.stream().map(StringType::getValue).filter(v -> v != null).toList());
		}
	}
}
