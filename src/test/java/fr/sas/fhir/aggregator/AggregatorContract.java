package fr.sas.fhir.aggregator;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.PublisherStandIn;
import fr.sas.fhir.support.PublisherStandIn.Answer;
import fr.sas.fhir.support.RawHttp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The aggregator against publisher stand-ins on the loopback address: this server itself in its publisher role (each
 * stand-in answers with the store's own answer for the practitioners it owns), and stand-ins that hang, fail, answer
 * HTML, invalid bundles, duplicates, slots outside the window, over TLS and mutual TLS. Every test uses its own
 * practitioners and endpoints; every endpoint is switched off before each test.
 */
interface AggregatorContract {

	FhirHttp fhir();

	/** The aggregator's settings of the suite's server: a test may switch its sources, and puts them back. */
	AggregatorProperties aggregatorProperties();

	String INDIVIDUAL = "individual";
	OffsetDateTime DAY = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).plusHours(3);

	@BeforeEach
	default void everyEndpointOff() {
		Bundle all = fhir().get("/Endpoint?_count=500").bundle();
		for (Bundle.BundleEntryComponent e : all.getEntry()) {
			Endpoint endpoint = (Endpoint) e.getResource();
			if (endpoint.getStatus() != Endpoint.EndpointStatus.OFF) {
				endpoint.setStatus(Endpoint.EndpointStatus.OFF);
				endpoint.getMeta().setVersionId(null);
				assertThat(fhir().put("/Endpoint/" + endpoint.getIdElement().getIdPart(), endpoint).status()).isEqualTo(200);
			}
		}
	}

	// ---------------------------------------------------------------- helpers

	static String rpps() {
		return "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
	}

	/** A practitioner's agenda in the store: {@code count} free slots from 4 h on, an hour apart. */
	default List<String> agenda(String rpps, int count) {
		String tag = rpps.substring(rpps.length() - 6) + "-" + UUID.randomUUID().toString().substring(0, 4);
		List<Resource> resources = new ArrayList<>(List.of(practitioner("p-" + tag, rpps), practitionerRole("r-" + tag, "p-" + tag),
				practitionerSchedule("s-" + tag, "p-" + tag, "r-" + tag)));
		List<String> slots = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			resources.add(slot("sl-" + tag + "-" + i, "s-" + tag, DAY.plusHours(1 + i), 20));
			slots.add("sl-" + tag + "-" + i);
		}
		Response written = fhir().putAll(resources);
		assertThat(written.status()).as(written.toString()).isEqualTo(200);
		return slots;
	}

	default Endpoint endpoint(String base, String... useCases) {
		Endpoint endpoint = new Endpoint();
		endpoint.setId("ep-" + UUID.randomUUID().toString().substring(0, 8));
		endpoint.getMeta().addProfile("https://sas-fhir-server.example/fhir/StructureDefinition/sas-publisher-endpoint");
		for (String useCase : useCases) {
			endpoint.addExtension("https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-use-case",
					new org.hl7.fhir.r4.model.CodeType(useCase));
		}
		endpoint.addExtension("https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-environment",
				new org.hl7.fhir.r4.model.CodeType("recette"));
		endpoint.setStatus(Endpoint.EndpointStatus.ACTIVE);
		endpoint.getConnectionType().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-connection-type").setCode("hl7-fhir-rest");
		endpoint.setName("Éditeur " + endpoint.getIdElement().getIdPart());
		endpoint.addPayloadType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-payload-type").setCode("any");
		endpoint.addPayloadMimeType("application/fhir+json");
		endpoint.setAddress(base);
		return endpoint;
	}

	default Endpoint registered(Endpoint endpoint) {
		Response put = fhir().put("/Endpoint/" + endpoint.getIdElement().getIdPart(), endpoint);
		assertThat(put.status()).as(put.toString()).isIn(200, 201);
		return endpoint;
	}

	default Endpoint registered(PublisherStandIn standIn, String... useCases) {
		return registered(endpoint(standIn.base(), useCases.length == 0 ? new String[] {INDIVIDUAL} : useCases));
	}

	default PublisherStandIn owning(List<String> owned) {
		return owning(owned, UnaryOperator.identity());
	}

	default PublisherStandIn owning(List<String> owned, UnaryOperator<String> alter) {
		return PublisherStandIn.owning(fhir().base(), owned, alter);
	}

	/** The guide's individual search, as its page prints it (raw '|', the window's offset with a raw '+'). */
	default String guideSearch(List<String> rpps, OffsetDateTime from, OffsetDateTime to) {
		DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
		return "/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&start=ge" + f.format(from.withOffsetSameInstant(ZoneOffset.ofHours(1)))
				+ "&start=le" + f.format(to.withOffsetSameInstant(ZoneOffset.ofHours(1))) + "&schedule.actor:Practitioner.identifier="
				+ rpps.stream().map(r -> IDNPS_SYSTEM + "|" + r).collect(Collectors.joining(",")) + "&status=free";
	}

	default RawHttp.Response search(List<String> rpps) {
		return search(rpps, DAY, DAY.plusDays(2));
	}

	default RawHttp.Response search(List<String> rpps, OffsetDateTime from, OffsetDateTime to) {
		return new RawHttp(fhir().base()).get(guideSearch(rpps, from, to), "Accept: application/json+fhir");
	}

	static List<String> slotIds(Bundle bundle) {
		return bundle.getEntry().stream().filter(e -> e.getResource() instanceof Slot)
				.map(e -> e.getResource().getIdElement().getIdPart()).sorted().toList();
	}

	static List<String> notes(Bundle bundle) {
		return bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.OUTCOME)
				.flatMap(e -> ((OperationOutcome) e.getResource()).getIssue().stream()).map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics)
				.toList();
	}

	// ---------------------------------------------------------------- the merged answer

	@Test
	default void eachPublishersSlotsComeBackMergedSayingWhereTheyCameFrom() {
		String a = rpps();
		String b = rpps();
		List<String> slotsA = agenda(a, 2);
		List<String> slotsB = agenda(b, 3);
		try (PublisherStandIn publisherA = owning(List.of(a)); PublisherStandIn publisherB = owning(List.of(b))) {
			Endpoint endpointA = registered(publisherA);
			registered(publisherB);

			RawHttp.Response answer = search(List.of(a, b));
			assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
			Bundle bundle = answer.bundle();
			assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
			assertThat(bundle.getMeta().getProfile()).extracting(p -> p.getValue()).containsExactly(LEGACY_SD + "BundleAgregateur");
			assertThat(bundle.getTotal()).isEqualTo(5);
			List<String> expected = new ArrayList<>(slotsA);
			expected.addAll(slotsB);
			assertThat(slotIds(bundle)).containsExactlyInAnyOrderElementsOf(expected);
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				Resource resource = entry.getResource();
				String from = slotsA.contains(resource.getIdElement().getIdPart()) || entry.getFullUrl().startsWith(publisherA.base())
						? publisherA.base() : publisherB.base();
				assertThat(entry.getFullUrl()).as("fullUrl at the publisher").startsWith(from + "/" + resource.fhirType() + "/");
				assertThat(resource.getMeta().getSource()).as("meta.source = the endpoint").isEqualTo(from);
				assertThat(entry.getSearch().getMode()).isEqualTo(resource instanceof Slot
						? Bundle.SearchEntryMode.MATCH : Bundle.SearchEntryMode.INCLUDE);
			}
			assertThat(bundle.getEntry()).extracting(e -> e.getResource().fhirType())
					.contains("Schedule", "Practitioner", "PractitionerRole").doesNotContain("OperationOutcome");
			// The merged answer is of the guide's shape.
			Response validated = fhir().post("/Bundle/$validate?profile=" + LEGACY_SD + "BundleAgregateur", answer.body());
			assertThat(validated.outcome().getIssue()).filteredOn(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR).isEmpty();

			// Each publisher got the guide's own request, once.
			assertThat(publisherA.requests()).hasSize(1);
			String sent = publisherA.requests().get(0);
			assertThat(sent).startsWith("/fhir/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&start=ge")
					.contains("&start=le").contains("&schedule.actor:Practitioner.identifier=").endsWith("&status=free");
			assertThat(java.net.URLDecoder.decode(sent, java.nio.charset.StandardCharsets.UTF_8))
					.contains(IDNPS_SYSTEM + "|" + a).contains(IDNPS_SYSTEM + "|" + b);
			assertThat(endpointA.getIdElement().getIdPart()).isNotBlank();
		}
	}

	@Test
	default void aHangingPublisherCostsTheSearchNoMoreThanItsBudget() {
		String a = rpps();
		List<String> slotsA = agenda(a, 2);
		try (PublisherStandIn good = owning(List.of(a)); PublisherStandIn hanging = PublisherStandIn.http(target -> Answer.hang())) {
			registered(good);
			Endpoint stuck = registered(hanging);
			long began = System.nanoTime();
			RawHttp.Response answer = search(List.of(a));
			Duration took = Duration.ofNanos(System.nanoTime() - began);
			assertThat(answer.status()).isEqualTo(200);
			assertThat(took).as("the search's budget, not the endpoint's 7 s").isLessThan(AggregatorSuite.SEARCH_BUDGET.plusSeconds(2));
			assertThat(slotIds(answer.bundle())).containsExactlyInAnyOrderElementsOf(slotsA);
			assertThat(notes(answer.bundle())).anyMatch(n -> n.contains("Endpoint/" + stuck.getIdElement().getIdPart())
					&& n.contains("did not answer"));
		}
	}

	@Test
	default void faultyPublishersAreLeftOutWithTheirReasonAndTheRestIsServed() {
		String a = rpps();
		List<String> slotsA = agenda(a, 2);
		List<PublisherStandIn> faulty = List.of(
				PublisherStandIn.http(target -> Answer.status(500)),
				PublisherStandIn.http(target -> Answer.html()),
				PublisherStandIn.http(target -> Answer.json("{\"resourceType\":\"Patient\",\"id\":\"x\"}")),
				PublisherStandIn.http(target -> Answer.json("{\"resourceType\":\"Bundle\",\"type\":\"collection\"}")),
				PublisherStandIn.http(target -> Answer.json("{not json")),
				PublisherStandIn.dropping());
		try (PublisherStandIn good = owning(List.of(a))) {
			registered(good);
			List<String> ids = faulty.stream().map(f -> registered(f).getIdElement().getIdPart()).toList();
			RawHttp.Response answer = search(List.of(a));
			assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
			assertThat(slotIds(answer.bundle())).containsExactlyInAnyOrderElementsOf(slotsA);
			List<String> notes = notes(answer.bundle());
			assertThat(notes).anyMatch(n -> n.contains(ids.get(0)) && n.contains("HTTP 500"));
			assertThat(notes).anyMatch(n -> n.contains(ids.get(1)) && n.contains("text/html"));
			assertThat(notes).anyMatch(n -> n.contains(ids.get(2)) && n.contains("not a Bundle"));
			assertThat(notes).anyMatch(n -> n.contains(ids.get(3)) && n.contains("not searchset"));
			assertThat(notes).anyMatch(n -> n.contains(ids.get(4)) && n.contains("not FHIR JSON"));
			assertThat(notes).anyMatch(n -> n.contains(ids.get(5)) && n.contains("connection failed"));
		} finally {
			faulty.forEach(PublisherStandIn::close);
		}
	}

	@Test
	default void entriesThatBreakTheGuideAreDroppedOneByOne() {
		String a = rpps();
		List<String> slots = agenda(a, 4);
		String outside = DAY.plusDays(9).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
		// slot 0 made busy (the slot profile fixes free), slot 1 moved out of the window, slot 2 without its status
		// (invalid), a Patient added
		UnaryOperator<String> breakIt = json -> {
			Bundle bundle = (Bundle) FhirHttp.CTX.newJsonParser().parseResource(json);
			for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
				if (e.getResource() instanceof Slot s) {
					String id = s.getIdElement().getIdPart();
					if (id.equals(slots.get(0))) {
						s.setStatus(Slot.SlotStatus.BUSY);
					} else if (id.equals(slots.get(1))) {
						s.setStartElement(new org.hl7.fhir.r4.model.InstantType(outside));
						s.setEnd(java.util.Date.from(DAY.plusDays(9).plusMinutes(20).toInstant()));
					} else if (id.equals(slots.get(2))) {
						s.setStatus(null);
					}
				}
			}
			bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(new org.hl7.fhir.r4.model.Patient())
					.getSearch().setMode(Bundle.SearchEntryMode.INCLUDE);
			return FhirHttp.CTX.newJsonParser().encodeResourceToString(bundle);
		};
		try (PublisherStandIn broken = owning(List.of(a), breakIt)) {
			Endpoint endpoint = registered(broken);
			RawHttp.Response answer = search(List.of(a));
			assertThat(answer.status()).isEqualTo(200);
			assertThat(slotIds(answer.bundle())).containsExactly(slots.get(3));
			assertThat(notes(answer.bundle())).anyMatch(n -> n.contains("Endpoint/" + endpoint.getIdElement().getIdPart())
					&& n.contains("4 entries left out") && n.contains(AnswerCheck.WINDOW) && n.contains(AnswerCheck.PROFILE)
					&& n.contains(AnswerCheck.TYPE));
		}
	}

	@Test
	default void aSlotTwoPublishersReturnIsShownOnceAndUnaskedPractitionersAreDropped() {
		String a = rpps();
		String other = rpps();
		List<String> slotsA = agenda(a, 3);
		agenda(other, 2);
		// The second publisher holds the same agenda of a, and answers for a practitioner nobody asked about too.
		try (PublisherStandIn first = owning(List.of(a)); PublisherStandIn second = owning(List.of(a, other));
				PublisherStandIn chatty = PublisherStandIn.http(t -> Answer.status(503))) {
			chatty.behave(PublisherStandIn.owning(fhir().base(), List.of(a, other), UnaryOperator.identity(), chatty.base()));
			registered(first);
			registered(second);
			RawHttp.Response answer = search(List.of(a));
			assertThat(slotIds(answer.bundle())).as("each slot once").containsExactlyInAnyOrderElementsOf(slotsA);
			assertThat(notes(answer.bundle())).anyMatch(n -> n.contains("shown once"));
			assertThat(answer.bundle().getTotal()).isEqualTo(3);
		}
	}

	@Test
	default void theAggregatedAnswerIsPagedByCountAndOffsetAsTheStoresPathIs() {
		String a = rpps();
		String b = rpps();
		List<String> all = new ArrayList<>(agenda(a, 2));
		all.addAll(agenda(b, 3));
		try (PublisherStandIn publisherA = owning(List.of(a)); PublisherStandIn publisherB = owning(List.of(b));
				PublisherStandIn failing = PublisherStandIn.http(t -> Answer.status(500))) {
			registered(publisherA);
			registered(publisherB);
			Endpoint down = registered(failing);
			// c, whom no publisher has answered about, is asked again of the failing endpoint on every page (a and b of
			// their own publishers only, once learnt): its outcome comes with every page.
			String c = rpps();
			String url = guideSearch(List.of(a, b, c), DAY, DAY.plusDays(2)) + "&_count=2";
			List<String> shown = new ArrayList<>();
			List<Integer> sizes = new ArrayList<>();
			while (url != null) {
				RawHttp.Response answer = new RawHttp(fhir().base()).get(url, "Accept: application/fhir+json");
				assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
				Bundle page = answer.bundle();
				assertThat(page.getTotal()).as("total: every match, not the page's").isEqualTo(5);
				List<Bundle.BundleEntryComponent> matches = page.getEntry().stream()
						.filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH).toList();
				sizes.add(matches.size());
				matches.forEach(m -> shown.add(m.getResource().getIdElement().getIdPart()));
				// What comes along is what the page's matches reference: their schedules, and those schedules' actors.
				java.util.Set<String> schedules = matches.stream().map(m -> ((Slot) m.getResource()).getSchedule().getReference()
						.replaceAll(".*Schedule/", "")).collect(Collectors.toSet());
				assertThat(page.getEntry()).filteredOn(e -> e.getResource() instanceof org.hl7.fhir.r4.model.Schedule)
						.extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactlyInAnyOrderElementsOf(schedules);
				java.util.Set<String> bases = matches.stream().map(m -> m.getFullUrl().substring(0, m.getFullUrl().indexOf("/Slot/")))
						.collect(Collectors.toSet());
				assertThat(page.getEntry()).filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE)
						.allMatch(e -> bases.stream().anyMatch(base -> e.getFullUrl().startsWith(base + "/")));
				assertThat(notes(page)).as("the publisher left out is named on every page")
						.anyMatch(n -> n.contains("Endpoint/" + down.getIdElement().getIdPart()));
				if (sizes.size() == 1) {
					Response validated = fhir().post("/Bundle/$validate?profile=" + LEGACY_SD + "BundleAgregateur", answer.body());
					assertThat(validated.outcome().getIssue()).filteredOn(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
						.extracting(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics).isEmpty();
				} else {
					assertThat(page.getLink("previous")).as("previous from the second page on").isNotNull();
				}
				Bundle.BundleLinkComponent next = page.getLink("next");
				url = next == null ? null : next.getUrl().substring(next.getUrl().indexOf("/fhir/") + "/fhir".length());
				if (next != null) {
					assertThat(next.getUrl()).contains("_offset=" + 2 * sizes.size()).contains("_count=2");
				}
			}
			assertThat(sizes).as("_count matches a page, next until the last").containsExactly(2, 2, 1);
			assertThat(shown).as("each match on one page").containsExactlyInAnyOrderElementsOf(all);

			// Without _count, every match in one page with one link (self), as the guide's Bundle profiles allow.
			Bundle whole = search(List.of(a, b)).bundle();
			assertThat(whole.getLink()).extracting(Bundle.BundleLinkComponent::getRelation).containsExactly("self");
			assertThat(slotIds(whole)).containsExactlyInAnyOrderElementsOf(all);
			// Beyond the last match: no match, the total still.
			Bundle beyond = new RawHttp(fhir().base()).get(guideSearch(List.of(a, b), DAY, DAY.plusDays(2)) + "&_count=2&_offset=10",
					"Accept: application/fhir+json").bundle();
			assertThat(slotIds(beyond)).isEmpty();
			assertThat(beyond.getTotal()).isEqualTo(5);
		}
	}

	@Test
	default void aSlotPushedToTheStoreAndPulledFromItsPublisherIsOfferedOnceAsThePublisherReturnedIt() {
		String a = rpps();
		String b = rpps();
		List<String> slotsA = agenda(a, 2); // in the store, and returned by its publisher (the stand-in answers from the store)
		List<String> slotsB = agenda(b, 1); // in the store only
		List<AggregatorProperties.Source> sources = List.copyOf(aggregatorProperties().getSources());
		try (PublisherStandIn publisher = owning(List.of(a))) {
			registered(publisher);
			aggregatorProperties().setSources(List.of(AggregatorProperties.Source.STORE, AggregatorProperties.Source.PUBLISHERS));

			RawHttp.Response answer = search(List.of(a, b));
			assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
			Bundle bundle = answer.bundle();
			List<String> expected = new ArrayList<>(slotsA);
			expected.addAll(slotsB);
			assertThat(slotIds(bundle)).as("each slot once").containsExactlyInAnyOrderElementsOf(expected);
			assertThat(bundle.getTotal()).isEqualTo(3);
			assertThat(bundle.getEntry()).filteredOn(e -> slotsA.contains(e.getResource().getIdElement().getIdPart()))
					.as("the publisher's copy").allMatch(e -> e.getFullUrl().startsWith(publisher.base() + "/Slot/")
							&& publisher.base().equals(e.getResource().getMeta().getSource()));
			assertThat(bundle.getEntry()).filteredOn(e -> slotsB.contains(e.getResource().getIdElement().getIdPart()))
					.allMatch(e -> e.getFullUrl().equals(fhir().base() + "/Slot/" + e.getResource().getIdElement().getIdPart()));
			assertThat(bundle.getEntry()).as("a's schedule once, from its publisher; b's from the store")
					.filteredOn(e -> e.getResource() instanceof org.hl7.fhir.r4.model.Schedule).hasSize(2);
			assertThat(notes(bundle)).anyMatch(n -> n.contains("2 slots of this server's store were also returned by their publisher"));
			Response validated = fhir().post("/Bundle/$validate?profile=" + LEGACY_SD + "BundleAgregateur", answer.body());
			assertThat(validated.outcome().getIssue()).filteredOn(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
						.extracting(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics).isEmpty();

			// The contextual search over pulled slots: the treating doctor's card holds each slot once, the publisher's.
			DateTimeFormatter f = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
			Response contextual = fhir().get("/Slot/$contextual-search?practitioner=" + IDNPS_SYSTEM + "|" + a + "&inseecode=35238&start="
					+ f.format(DAY).replace("+", "%2B") + "&end=" + f.format(DAY.plusDays(2)).replace("+", "%2B"));
			assertThat(contextual.status()).as(contextual.toString()).isEqualTo(200);
			List<Bundle.BundleEntryComponent> offered = contextual.bundle().getEntry().stream()
					.filter(e -> e.getResource() instanceof Slot && slotsA.contains(e.getResource().getIdElement().getIdPart())).toList();
			assertThat(offered).extracting(e -> e.getResource().getIdElement().getIdPart()).as("each slot once")
					.containsExactlyInAnyOrderElementsOf(slotsA);
			assertThat(offered).allMatch(e -> e.getFullUrl().startsWith(publisher.base() + "/Slot/"));
		} finally {
			aggregatorProperties().setSources(sources);
		}
	}

	// ---------------------------------------------------------------- resilience

	@Test
	default void aDeadEndpointStopsBeingCalledThenIsProbed() {
		String a = rpps();
		agenda(a, 1);
		try (PublisherStandIn dead = PublisherStandIn.http(target -> Answer.status(500))) {
			registered(dead);
			for (int i = 0; i < 6; i++) {
				search(List.of(a), DAY.plusMinutes(i), DAY.plusDays(2)); // a new window each time: never the cache
			}
			int calls = dead.calls();
			assertThat(calls).as("the breaker opened after 3 failures").isBetween(3, 4);
			RawHttp.Response skipped = search(List.of(a), DAY.plusMinutes(30), DAY.plusDays(2));
			assertThat(dead.calls()).isEqualTo(calls);
			assertThat(notes(skipped.bundle())).anyMatch(n -> n.contains("circuit breaker"));
			// After the open duration a search probes it again.
			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
				search(List.of(a), DAY.plusMinutes(40 + dead.calls()), DAY.plusDays(2));
				return dead.calls() > calls;
			});
		}
	}

	@Test
	default void aPractitionerOfAnEndpointAwayIsNotLearntAsNobodysAndItsSlotsShowOnceItIsBack() {
		String a = rpps();
		List<String> slotsA = agenda(a, 1);
		PublisherStandIn away = PublisherStandIn.http(target -> Answer.status(500));
		try (away; PublisherStandIn other = owning(List.of())) {
			registered(away);
			registered(other);
			// Until its breaker opens, then while it is open: the other endpoint answers that it has nothing for a.
			for (int i = 0; i < 6; i++) {
				search(List.of(a), DAY.plusMinutes(i), DAY.plusDays(2));
			}
			away.behave(PublisherStandIn.owning(fhir().base(), List.of(a), UnaryOperator.identity(), away.base()));
			// Once its breaker lets it be probed, its practitioner's slots come back: nothing learnt it as nobody's.
			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
					assertThat(slotIds(search(List.of(a), DAY.plusMinutes(10 + away.calls()), DAY.plusDays(2)).bundle()))
							.containsExactlyInAnyOrderElementsOf(slotsA));
		}
	}

	@Test
	default void anEndpointThatDidNotAnswerIsAskedAgainAloneNotWithEveryoneElse() {
		String unknown = rpps();
		PublisherStandIn failing = PublisherStandIn.http(target -> Answer.status(500));
		List<PublisherStandIn> others = List.of(owning(List.of()), owning(List.of()));
		try (failing) {
			registered(failing);
			others.forEach(this::registered);
			search(List.of(unknown), DAY, DAY.plusDays(2));
			assertThat(others).allMatch(p -> p.calls() == 1);
			assertThat(failing.calls()).isEqualTo(1);
			// The others had nothing for it: asked again, only the endpoint that did not answer is.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				int[] before = others.stream().mapToInt(PublisherStandIn::calls).toArray();
				int failed = failing.calls();
				search(List.of(unknown), DAY.plusMinutes(failed), DAY.plusDays(2));
				assertThat(others.stream().mapToInt(PublisherStandIn::calls).toArray()).containsExactly(before);
				assertThat(failing.calls()).isEqualTo(failed + 1);
			});
			// Back, with nothing for it either: nobody is asked any more, for a while.
			failing.behave(PublisherStandIn.owning(fhir().base(), List.of(), UnaryOperator.identity(), failing.base()));
			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
				int[] before = others.stream().mapToInt(PublisherStandIn::calls).toArray();
				int failed = failing.calls();
				search(List.of(unknown), DAY.plusMinutes(10 + failed), DAY.plusDays(2));
				assertThat(failing.calls()).as("asked until it answered").isEqualTo(failed);
				assertThat(others.stream().mapToInt(PublisherStandIn::calls).toArray()).containsExactly(before);
			});
		} finally {
			others.forEach(PublisherStandIn::close);
		}
	}

	@Test
	default void aSuspendedEndpointIsNoLongerCalledAndActiveResumesIt() {
		String a = rpps();
		List<String> slotsA = agenda(a, 2);
		try (PublisherStandIn publisher = owning(List.of(a))) {
			Endpoint endpoint = registered(publisher);
			assertThat(slotIds(search(List.of(a), DAY, DAY.plusDays(2)).bundle())).hasSize(2);
			endpoint.setStatus(Endpoint.EndpointStatus.SUSPENDED);
			registered(endpoint);
			int before = publisher.calls();
			Bundle suspended = search(List.of(a), DAY.plusMinutes(1), DAY.plusDays(2)).bundle();
			assertThat(publisher.calls()).as("not called once suspended").isEqualTo(before);
			assertThat(slotIds(suspended)).isEmpty();
			endpoint.setStatus(Endpoint.EndpointStatus.ACTIVE);
			registered(endpoint);
			assertThat(slotIds(search(List.of(a), DAY.plusMinutes(2), DAY.plusDays(2)).bundle())).containsExactlyInAnyOrderElementsOf(slotsA);
			assertThat(publisher.calls()).isEqualTo(before + 1);
		}
	}

	@Test
	default void routesAreLearntSoAPractitionersSearchGoesToItsPublisherOnly() {
		List<String> practitioners = List.of(rpps(), rpps(), rpps(), rpps());
		practitioners.forEach(p -> agenda(p, 1));
		String unknown = rpps();
		List<PublisherStandIn> publishers = practitioners.stream().map(p -> owning(List.of(p))).toList();
		try {
			publishers.forEach(this::registered);
			// Nothing learnt yet: every publisher is asked.
			search(List.of(practitioners.get(0)), DAY, DAY.plusDays(2));
			assertThat(publishers).allMatch(p -> p.calls() == 1);
			// Learnt: only the first publisher answers for the first practitioner.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				int[] before = publishers.stream().mapToInt(PublisherStandIn::calls).toArray();
				Bundle again = search(List.of(practitioners.get(0)), DAY.plusMinutes(before[0]), DAY.plusDays(2)).bundle();
				assertThat(slotIds(again)).hasSize(1);
				assertThat(publishers.get(0).calls()).isEqualTo(before[0] + 1);
				for (int i = 1; i < publishers.size(); i++) {
					assertThat(publishers.get(i).calls()).as("publisher " + i).isEqualTo(before[i]);
				}
			});
			// A practitioner nobody answers for: everyone asked once, then nobody for a while.
			search(List.of(unknown), DAY, DAY.plusDays(2));
			int[] after = publishers.stream().mapToInt(PublisherStandIn::calls).toArray();
			search(List.of(unknown), DAY.plusMinutes(5), DAY.plusDays(2));
			assertThat(publishers.stream().mapToInt(PublisherStandIn::calls).toArray()).containsExactly(after);
		} finally {
			publishers.forEach(PublisherStandIn::close);
		}
	}

	@Test
	default void theCacheNeverServesAnAnswerLongerThanItsTimeToLive() {
		String a = rpps();
		List<String> slotsA = agenda(a, 2);
		try (PublisherStandIn publisher = owning(List.of(a))) {
			registered(publisher);
			OffsetDateTime from = DAY;
			assertThat(slotIds(search(List.of(a), from, DAY.plusDays(2)).bundle())).hasSize(2);
			assertThat(slotIds(search(List.of(a), from, DAY.plusDays(2)).bundle())).hasSize(2);
			assertThat(publisher.calls()).as("the second answer came from the cache").isEqualTo(1);
			// The publisher withdraws a slot: it is gone from every answer within the cache's time to live.
			assertThat(fhir().delete("/Slot/" + slotsA.get(0)).status()).isIn(200, 204);
			long withdrawn = System.nanoTime();
			await().atMost(AggregatorSuite.CACHE_TTL.plusSeconds(3)).pollInterval(Duration.ofMillis(200))
					.until(() -> slotIds(search(List.of(a), from, DAY.plusDays(2)).bundle()).size() == 1);
			assertThat(Duration.ofNanos(System.nanoTime() - withdrawn)).isLessThan(AggregatorSuite.CACHE_TTL.plusSeconds(2));
		}
	}

	// ---------------------------------------------------------------- transport

	@Test
	default void publishersOverTlsAndMutualTlsWithTheClientCertificateOfTheirEndpoint() {
		String a = rpps();
		String b = rpps();
		List<String> slotsA = agenda(a, 1);
		List<String> slotsB = agenda(b, 1);
		PublisherStandIn tls = PublisherStandIn.https(AggregatorSuite.serverContext(AggregatorSuite.SERVER), false, t -> Answer.status(503));
		PublisherStandIn mutual = PublisherStandIn.https(AggregatorSuite.serverContext(AggregatorSuite.SERVER), true, t -> Answer.status(503));
		PublisherStandIn expired = PublisherStandIn.https(AggregatorSuite.serverContext(AggregatorSuite.EXPIRED_SERVER), false,
				t -> Answer.status(503));
		try (tls; mutual; expired) {
			tls.behave(PublisherStandIn.owning(fhir().base(), List.of(a), UnaryOperator.identity(), tls.base()));
			mutual.behave(PublisherStandIn.owning(fhir().base(), List.of(b), UnaryOperator.identity(), mutual.base()));
			expired.behave(PublisherStandIn.owning(fhir().base(), List.of(a), UnaryOperator.identity(), expired.base()));
			registered(tls);
			Endpoint withCertificate = endpoint(mutual.base(), INDIVIDUAL);
			withCertificate.addExtension("https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-client-certificate",
					new org.hl7.fhir.r4.model.StringType("platform"));
			registered(withCertificate);
			Endpoint withoutCertificate = registered(endpoint(mutual.base(), INDIVIDUAL));
			Endpoint expiredOne = registered(expired);

			RawHttp.Response answer = search(List.of(a, b));
			List<String> expected = new ArrayList<>(slotsA);
			expected.addAll(slotsB);
			assertThat(slotIds(answer.bundle())).containsExactlyInAnyOrderElementsOf(expected);
			assertThat(mutual.clientCertificates()).anyMatch(subject -> subject.contains("CN=plateforme-sas"));
			List<String> notes = notes(answer.bundle());
			assertThat(notes).anyMatch(n -> n.contains(withoutCertificate.getIdElement().getIdPart()) && n.contains("TLS"));
			assertThat(notes).anyMatch(n -> n.contains(expiredOne.getIdElement().getIdPart()) && n.contains("TLS"));
		}
	}

	// ---------------------------------------------------------------- the registry

	@Test
	default void endpointsAreValidatedAndABadOneIsRefusedNamingItsElement() {
		Endpoint malformed = endpoint("not a url", INDIVIDUAL);
		Response refused = fhir().put("/Endpoint/" + malformed.getIdElement().getIdPart(), malformed);
		assertThat(refused.status()).isEqualTo(422);
		assertThat(refused.outcome().getIssue()).anyMatch(i -> i.getExpression().stream().anyMatch(e -> e.getValue().equals("Endpoint.address")));

		Endpoint plainHttpElsewhere = endpoint("http://editeur.example.fr/fhir", INDIVIDUAL);
		Response http = fhir().put("/Endpoint/" + plainHttpElsewhere.getIdElement().getIdPart(), plainHttpElsewhere);
		assertThat(http.status()).isEqualTo(422);
		assertThat(http.outcome().getIssueFirstRep().getDiagnostics()).contains("https");

		Endpoint unknownUseCase = endpoint("https://editeur.example.fr/fhir", "teleconsultation");
		Response useCase = fhir().put("/Endpoint/" + unknownUseCase.getIdElement().getIdPart(), unknownUseCase);
		assertThat(useCase.status()).isEqualTo(422);
		assertThat(useCase.outcome().getIssue()).anyMatch(i -> i.getExpression().stream().anyMatch(e -> e.getValue().startsWith("Endpoint.extension")));

		Endpoint unknownCertificate = endpoint("https://editeur.example.fr/fhir", INDIVIDUAL);
		unknownCertificate.addExtension("https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-client-certificate",
				new org.hl7.fhir.r4.model.StringType("nobody"));
		Response certificate = fhir().put("/Endpoint/" + unknownCertificate.getIdElement().getIdPart(), unknownCertificate);
		assertThat(certificate.status()).isEqualTo(422);
		assertThat(certificate.outcome().getIssue()).anyMatch(i -> i.getExpression().stream()
				.anyMatch(e -> e.getValue().equals("Endpoint.extension:clientCertificate")));

		Endpoint noProfile = endpoint("https://editeur.example.fr/fhir", INDIVIDUAL);
		noProfile.getMeta().getProfile().clear();
		assertThat(fhir().put("/Endpoint/" + noProfile.getIdElement().getIdPart(), noProfile).status()).isEqualTo(422);

		for (Endpoint e : List.of(malformed, plainHttpElsewhere, unknownUseCase, unknownCertificate, noProfile)) {
			assertThat(fhir().get("/Endpoint/" + e.getIdElement().getIdPart()).status()).as("nothing written").isEqualTo(404);
		}
		Endpoint good = endpoint("https://editeur.example.fr/fhir", INDIVIDUAL, "cpts");
		assertThat(fhir().put("/Endpoint/" + good.getIdElement().getIdPart(), good).status()).isEqualTo(201);
	}

	// ---------------------------------------------------------------- SOS and CPTS

	@Test
	default void theSosSearchIsAggregatedToo() {
		String siret = "3" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000000").substring(0, 14);
		String tag = siret.substring(8);
		Response written = fhir().putAll(List.of(sosOrganization("so-" + tag, siret), sosLocation("sl-" + tag, "so-" + tag),
				sosSchedule("ss-" + tag, "sl-" + tag), sosSlot("sx-" + tag + "-1", "ss-" + tag, DAY.plusHours(2), 20),
				sosSlot("sx-" + tag + "-2", "ss-" + tag, DAY.plusHours(3), 20)));
		assertThat(written.status()).as(written.toString()).isEqualTo(200);
		try (PublisherStandIn sos = owning(List.of(siret))) {
			registered(sos, "sos");
			DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
			String url = "/Schedule?_revinclude=Slot:schedule&_include=Schedule:actor:Location&_include:iterate=Location:organization"
					+ "&_has:Slot:schedule:start=ge" + f.format(DAY) + "&_has:Slot:schedule:start=le" + f.format(DAY.plusDays(2))
					+ "&_has:Slot:schedule:status=free&actor:Location.organization.identifier=" + IDNST_SYSTEM + "|" + siret;
			RawHttp.Response answer = new RawHttp(fhir().base()).get(url, "Accept: application/fhir+json");
			assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
			Bundle bundle = answer.bundle();
			assertThat(bundle.getMeta().getProfile()).extracting(p -> p.getValue()).containsExactly(SD + "sas-sos-bundle-aggregator");
			assertThat(bundle.getEntry()).filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
					.extracting(e -> e.getResource().fhirType()).containsExactly("Schedule");
			assertThat(slotIds(bundle)).containsExactlyInAnyOrder("sx-" + tag + "-1", "sx-" + tag + "-2");
			assertThat(bundle.getEntry()).extracting(e -> e.getResource().fhirType()).contains("Location", "Organization");
			assertThat(sos.requests().get(0)).startsWith("/fhir/Schedule?_revinclude=Slot:schedule&_include=Schedule:actor:Location");
		}
	}

	@Test
	default void aCptsSlotBeyondTheCptsWindowIsDropped() {
		String a = rpps();
		String tag = a.substring(6);
		String finess = "1" + a.substring(3, 12);
		Response written = fhir().putAll(List.of(cptsOrganization("co-" + tag, finess), cptsService("cs-" + tag, "co-" + tag),
				practitioner("cp-" + tag, a), practitionerRole("cr-" + tag, "cp-" + tag), practitionerSchedule("cc-" + tag, "cp-" + tag, "cr-" + tag),
				cptsSlot("ct-" + tag + "-1", "cc-" + tag, "cs-" + tag, OffsetDateTime.now(ZoneOffset.UTC).plusHours(5), 20),
				cptsSlot("ct-" + tag + "-2", "cc-" + tag, "cs-" + tag, OffsetDateTime.now(ZoneOffset.UTC).plusHours(6), 20)));
		assertThat(written.status()).as(written.toString()).isEqualTo(200);
		String late = OffsetDateTime.now(ZoneOffset.UTC).plusHours(72).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
		UnaryOperator<String> moveOne = json -> {
			Bundle bundle = (Bundle) FhirHttp.CTX.newJsonParser().parseResource(json);
			bundle.getEntry().stream().filter(e -> e.getResource().getIdElement().getIdPart().equals("ct-" + tag + "-2"))
					.forEach(e -> {
						Slot s = (Slot) e.getResource();
						s.setStartElement(new org.hl7.fhir.r4.model.InstantType(late));
						s.setEnd(java.util.Date.from(s.getStart().toInstant().plusSeconds(1200)));
					});
			return FhirHttp.CTX.newJsonParser().encodeResourceToString(bundle);
		};
		try (PublisherStandIn cpts = owning(List.of(a), moveOne)) {
			registered(cpts, "cpts");
			DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
			OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
			String url = "/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&_include=Slot:service-type-reference"
					+ "&_include:iterate=HealthcareService:organization&start=ge" + f.format(now) + "&start=le" + f.format(now.plusDays(4))
					+ "&schedule.actor:Practitioner.identifier=" + IDNPS_SYSTEM + "|" + a + "&status=free";
			RawHttp.Response answer = new RawHttp(fhir().base()).get(url, "Accept: application/fhir+json");
			Bundle bundle = answer.bundle();
			assertThat(slotIds(bundle)).containsExactly("ct-" + tag + "-1");
			assertThat(bundle.getMeta().getProfile()).extracting(p -> p.getValue()).containsExactly(SD + "sas-cpts-bundle-aggregator");
			assertThat(bundle.getEntry()).extracting(e -> e.getResource().fhirType()).contains("HealthcareService", "Organization");
			assertThat(cpts.requests().get(0)).contains("_include=Slot:service-type-reference");
			assertThat(java.net.URLDecoder.decode(cpts.requests().get(0), java.nio.charset.StandardCharsets.UTF_8))
					.as("the CPTS search asks for 48 h at most").doesNotContain(f.format(now.plusDays(4)).substring(0, 13));
		}
	}

	// ---------------------------------------------------------------- contextual search

	@Test
	default void theContextualSearchShowsTheDirectorysCardsWithTheirPublishersSlots() {
		String a = rpps();
		List<String> slotsA = agenda(a, 2);
		try (PublisherStandIn publisher = owning(List.of(a)); PublisherStandIn hanging = PublisherStandIn.http(t -> Answer.hang())) {
			registered(publisher);
			Endpoint stuck = registered(hanging);
			DateTimeFormatter f = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
			long began = System.nanoTime();
			Response answer = fhir().get("/Slot/$contextual-search?practitioner=" + IDNPS_SYSTEM + "|" + a + "&inseecode=35238&start="
					+ f.format(DAY).replace("+", "%2B") + "&end=" + f.format(DAY.plusDays(2)).replace("+", "%2B"));
			Duration took = Duration.ofNanos(System.nanoTime() - began);
			assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
			Bundle bundle = answer.bundle();
			assertThat(slotIds(bundle)).as("the treating doctor's slots, from the publisher").containsAll(slotsA);
			assertThat(bundle.getEntry()).filteredOn(e -> slotsA.contains(e.getResource().getIdElement().getIdPart()))
					.allMatch(e -> e.getFullUrl().startsWith(publisher.base() + "/Slot/"));
			assertThat(notes(bundle)).anyMatch(n -> n.contains("Endpoint/" + stuck.getIdElement().getIdPart()));
			assertThat(took).as("the contextual budget (2 s), then the page").isLessThan(Duration.ofSeconds(5));
		}
	}
	@Test
	default void theContextualSearchAsksPublishersForAFullBatchOfPractitionersAtOnce() {
		List<String> practitioners = new ArrayList<>();
		for (int i = 0; i < 26; i++) {
			String rpps = rpps();
			agenda(rpps, 1);
			practitioners.add(rpps);
		}
		try (PublisherStandIn publisher = owning(practitioners)) {
			registered(publisher);
			DateTimeFormatter f = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
			Response answer = fhir().get("/Slot/$contextual-search?inseecode=35238&_count=5&start="
					+ f.format(DAY).replace("+", "%2B") + "&end=" + f.format(DAY.plusDays(2)).replace("+", "%2B"));
			assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
			String first = java.net.URLDecoder.decode(publisher.requests().get(0), java.nio.charset.StandardCharsets.UTF_8);
			// The page needs 6 cards: the store's source reads 9 at first; a round of calls should carry a whole batch
			// (25 practitioners, some of the cards around being the suite's CPTS and SOS ones).
			assertThat(first.split(java.util.regex.Pattern.quote(IDNPS_SYSTEM + "|"), -1).length - 1)
					.as("practitioners named in the first call: " + first).isGreaterThan(15);
		}
	}
}

