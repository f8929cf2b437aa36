package fr.sas.fhir.contextual;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contextual search (INT_L01) against the guide's shapes, on one agenda graph in Lozère (far from the other
 * suites' data): ranking (treating doctor, distance, neutral draw), paging, filters, specialty, place forms,
 * refusals, the Bundle profile, and writes showing in the next search.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContextualSearchContract {

	abstract FhirHttp fhir();

	abstract ContextualProperties properties();

	private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
	private static final GeoPoint MENDE_CLINIC = new GeoPoint(44.5190, 3.5010);
	private final String s = UUID.randomUUID().toString().substring(0, 8);
	private final OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
	private final String rpps1 = rpps();
	private final String rpps2 = rpps();
	private final String rpps3 = rpps();
	private final String rppsDoctor = rpps();

	private static String rpps() {
		return "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
	}

	private String id(String name) {
		return name + "-" + s;
	}

	/** A role at a place given by its address, and its position when the publisher gives one. */
	private PractitionerRole role(String name, String practitioner, String city, String postalCode, GeoPoint position, String specialty,
			String label) {
		PractitionerRole role = practitionerRole(id(name), id(practitioner));
		Location place = (Location) role.getContained().get(0);
		place.getAddress().setCity(city).setPostalCode(postalCode);
		if (position != null) {
			place.getPosition().setLatitude(position.latitude()).setLongitude(position.longitude());
		}
		if (specialty != null) {
			role.addSpecialty().addCoding().setSystem(R38).setCode(specialty).setDisplay(label);
		}
		return role;
	}

	@BeforeAll
	void agendas() {
		List<Resource> graph = new ArrayList<>(List.of(
				practitioner(id("p1"), rpps1), role("r1", "p1", "Mende", "48000", MENDE_CLINIC, "SM54", "Médecine générale"),
				practitionerSchedule(id("sc1"), id("p1"), id("r1")),
				practitioner(id("p2"), rpps2), role("r2", "p2", "Marvejols", "48100", null, "SM54", "Médecine générale"),
				practitionerSchedule(id("sc2"), id("p2"), id("r2")),
				practitioner(id("p3"), rpps3), role("r3", "p3", "Florac Trois Rivières", "48400", null, "SM05", null),
				practitionerSchedule(id("sc3"), id("p3"), id("r3")),
				practitioner(id("p4"), rppsDoctor), role("r4", "p4", "Mende", "48000", null, "SM54", "Médecine générale"),
				practitionerSchedule(id("sc4"), id("p4"), id("r4")),
				cptsOrganization(id("o1"), "1" + digits(9)), cptsService(id("hs1"), id("o1")),
				sosOrganization(id("sos1"), "3" + digits(14)), sosLocation(id("l1"), id("sos1")), sosSchedule(id("ss1"), id("l1"))));
		((Organization) graph.get(12)).addAddress().setCity("Mende").setPostalCode("48000");
		((Location) graph.get(15)).getAddress().setCity("Marvejols").setPostalCode("48100");
		graph.add(slot(id("a1"), id("sc1"), t0.plusHours(2), 20));
		graph.add(slot(id("a2"), id("sc1"), t0.plusHours(1), 20));
		Slot home = slot(id("a3"), id("sc1"), t0.plusHours(3), 30);
		home.getServiceTypeFirstRep().getCodingFirstRep().setCode("HH");
		graph.add(home);
		Slot tele = slot(id("b1"), id("sc2"), t0.plusHours(4), 20);
		tele.getServiceTypeFirstRep().getCodingFirstRep().setCode("VR");
		tele.getAppointmentType().getCodingFirstRep().setCode("WALKIN");
		graph.add(tele);
		Slot pediatric = slot(id("c1"), id("sc3"), t0.plusHours(5), 20);
		pediatric.getSpecialty().clear();
		pediatric.addSpecialty().setText("Pédiatrie"); // free text, as FAQ item 3 allows
		graph.add(pediatric);
		graph.add(cptsSlot(id("k1"), id("sc2"), id("hs1"), t0.plusHours(6), 20));
		graph.add(sosSlot(id("d1"), id("ss1"), t0.plusHours(1), 30));
		transaction(graph);
	}

	private static String digits(int n) {
		StringBuilder b = new StringBuilder();
		java.util.Random random = new java.util.Random();
		for (int i = 0; i < n; i++) {
			b.append(random.nextInt(10));
		}
		return b.toString();
	}

	// --- ranking ---------------------------------------------------------------------------------------------

	@Test
	void aPointOrdersTheCardsByDistanceAndEachEntrySaysWhy() {
		GeoPoint patient = new GeoPoint(44.5200, 3.4900);
		Bundle answer = ok("latitude=" + patient.latitude() + "&longitude=" + patient.longitude() + "&radius=40&_count=50");
		List<Card> cards = ours(cards(answer));
		assertThat(cards).extracting(Card::reason).containsOnly("distance");
		// The distances the test computes from the positions: the publisher's, else the commune's.
		Map<String, GeoPoint> positions = Map.of(
				"PractitionerRole/" + id("r1"), MENDE_CLINIC,
				"PractitionerRole/" + id("r2"), commune("48092"),
				"PractitionerRole/" + id("r3"), commune("48061"),
				"HealthcareService/" + id("hs1"), commune("48095"),
				"Location/" + id("l1"), commune("48092"));
		assertThat(cards).extracting(Card::card).containsExactlyInAnyOrderElementsOf(positions.keySet());
		for (Card card : cards) {
			assertThat(card.distance()).as(card.card()).isCloseTo(positions.get(card.card()).distanceKm(patient),
					org.assertj.core.data.Offset.offset(0.01));
		}
		assertThat(cards).extracting(Card::distance).isSorted();
		assertThat(cards).extracting(Card::rank).isSorted();
		// Within a card, slots by start.
		assertThat(slotsOf(answer, "PractitionerRole/" + id("r1"))).containsExactly(id("a2"), id("a1"), id("a3"));
		assertThat(answer.getEntry()).filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
				.allSatisfy(e -> assertThat(e.getSearch().getScore()).isBetween(BigDecimal.ZERO, BigDecimal.ONE));
	}

	@Test
	void theTreatingDoctorComesFirstByEveryIdentifierFormAndIsFlaggedWithoutSlot() {
		for (String form : List.of(IDNPS_SYSTEM + "|" + rppsDoctor, rppsDoctor, rppsDoctor.substring(1))) {
			Bundle answer = ok("practitioner=" + form + "&inseecode=48095&radius=40");
			Bundle.BundleEntryComponent first = answer.getEntry().get(0);
			assertThat(first.getResource().getIdElement().getIdPart()).as(form).isEqualTo(id("r4"));
			assertThat(first.getSearch().getMode()).isEqualTo(Bundle.SearchEntryMode.INCLUDE);
			Extension why = first.getSearch().getExtensionByUrl(ContextualSearch.RANK_EXTENSION);
			assertThat(why.getExtensionByUrl("reason").getValue().primitiveValue()).isEqualTo("treating-doctor");
			assertThat(why.getExtensionByUrl("available").getValue().primitiveValue()).isEqualTo("false");
			assertThat(why.getExtensionByUrl("rank").getValue().primitiveValue()).isEqualTo("1");
		}
		// A treating doctor with slots: first, with them.
		Bundle answer = ok("practitioner=" + rpps3 + "&inseecode=48095");
		assertThat(cards(answer).get(0).card()).isEqualTo("PractitionerRole/" + id("r3"));
		assertThat(cards(answer).get(0).reason()).isEqualTo("treating-doctor");
	}

	@Test
	void anUnknownTreatingDoctorIsNotAnError() {
		Bundle answer = ok("practitioner=" + rpps() + "&inseecode=48095&radius=40");
		assertThat(cards(answer)).extracting(Card::reason).doesNotContain("treating-doctor");
		assertThat(outcome(answer)).anyMatch(note -> note.contains("treating doctor"));
	}

	@Test
	void anAreaIsDrawnNeutrallyStablyAndPagesNeitherOverlapNorSkip() {
		String search = "inseecode=48095&radius=40&source=individual,sos,cpts";
		Bundle all = ok(search + "&_count=50");
		List<String> order = ours(cards(all)).stream().map(Card::card).toList();
		// Each slot once, with the first card offering it (k1 is both r2's and the CPTS's).
		List<String> slots = new ArrayList<>();
		ours(cards(all)).forEach(c -> slots.addAll(slotsOf(all, c.card())));
		assertThat(slots).containsExactlyInAnyOrder(id("a1"), id("a2"), id("a3"), id("b1"), id("c1"), id("k1"), id("d1"));
		assertThat(order).hasSizeBetween(4, 5);
		assertThat(ours(cards(ok(search + "&_count=50")))).extracting(Card::card).as("the same search, the same order")
				.containsExactlyElementsOf(order);
		assertThat(ours(cards(ok(search + "&_count=50")))).extracting(Card::reason).containsOnly("neutral-draw");
		List<String> paged = new ArrayList<>();
		Bundle page = ok(search + "&_count=2");
		for (int i = 0; i < 20; i++) {
			cards(page).forEach(c -> paged.add(c.card()));
			if (page.getLink("next") == null) {
				break;
			}
			page = okUrl(page.getLink("next").getUrl());
		}
		assertThat(ours(paged.stream().map(c -> new Card(c, 0, null, null)).toList())).extracting(Card::card)
				.containsExactlyElementsOf(order);
	}

	@Test
	void overManySearchesNoIdenticalCardIsSystematicallyAhead() {
		// Two publishers' identical cards at the same place, in a commune of their own.
		List<Resource> twins = new ArrayList<>();
		for (String twin : List.of("twinA", "twinB")) {
			twins.add(practitioner(id("p" + twin), rpps()));
			twins.add(role("r" + twin, "p" + twin, "Langogne", "48300", new GeoPoint(44.7270, 3.8550), "SM54", "Médecine générale"));
			twins.add(practitionerSchedule(id("sc" + twin), id("p" + twin), id("r" + twin)));
			twins.add(slot(id("s" + twin), id("sc" + twin), t0.plusHours(2), 20));
		}
		transaction(twins);
		int aFirst = 0;
		int searches = 200;
		for (int i = 0; i < searches; i++) {
			// 200 different searches: the same commune, windows ending a minute apart.
			Bundle answer = ok("inseecode=48080&radius=3&end=" + t0.plusHours(30).plusMinutes(i).format(SECONDS).replace("+", "%2B"));
			List<String> order = cards(answer).stream().map(Card::card).filter(c -> c.contains("twin")).toList();
			assertThat(order).hasSize(2);
			if (order.get(0).equals("PractitionerRole/" + id("rtwinA"))) {
				aFirst++;
			}
		}
		assertThat(aFirst).as("times the first publisher's card came first").isBetween(70, 130);
	}

	// --- filters, specialty, place ------------------------------------------------------------------------

	@Test
	void eachFilterNarrowsTheAnswer() {
		String around = "inseecode=48095&radius=40&_count=50";
		assertThat(allSlots(ok(around + "&consultation-type=HH"))).containsExactly(id("a3"));
		assertThat(allSlots(ok(around + "&consultation-type=VR&appointment-type=WALKIN"))).containsExactly(id("b1"));
		assertThat(allSlots(ok(around + "&slot-type=CPTS"))).containsExactly(id("k1"));
		assertThat(ours(cards(ok(around + "&source=sos")))).extracting(Card::card).containsExactly("Location/" + id("l1"));
		assertThat(ours(cards(ok(around + "&source=cpts")))).extracting(Card::card).containsExactly("HealthcareService/" + id("hs1"));
		assertThat(allSlots(ok(around + "&consultation-type=AMB,HH"))).contains(id("a1"), id("a3")).doesNotContain(id("b1"));
	}

	@Test
	void aSpecialtyByUrnBareCodeOrFreeText() {
		String around = "inseecode=48095&radius=40&_count=50";
		for (String specialty : List.of("urn:oid:1.2.250.1.213.2.28|SM05", "SM05", "pédiatrie", "Pediatrie")) {
			assertThat(ours(cards(ok(around + "&specialty=" + specialty)))).extracting(Card::card).as(specialty)
					.containsExactly("PractitionerRole/" + id("r3"));
		}
		assertThat(ours(cards(ok(around + "&speciality=SM05")))).extracting(Card::card)
				.containsExactly("PractitionerRole/" + id("r3"));
	}

	@Test
	void thePlaceInEachForm() {
		for (String place : List.of("inseecode=48095", "postalcode=48000&city=Mende", "city=Mende", "postalcode=48000",
				"latitude=44.5216&longitude=3.4998", "streetnumber=2&streetname=rue%20de%20la%20R%C3%A9publique&city=Mende&postalcode=48000")) {
			assertThat(ours(cards(ok(place)))).as(place).extracting(Card::card).contains("PractitionerRole/" + id("r1"));
		}
		Bundle whole = ok("departement=48&_count=50");
		assertThat(ours(cards(whole))).extracting(Card::card).contains("PractitionerRole/" + id("r1"), "PractitionerRole/" + id("r3"),
				"Location/" + id("l1"));
		assertThat(outcome(ok("streetname=rue%20Basse&inseecode=48095"))).anyMatch(n -> n.contains("could not be placed"));
	}

	@Test
	void aPostOfParametersAnswersAsTheGet() {
		org.hl7.fhir.r4.model.Parameters parameters = new org.hl7.fhir.r4.model.Parameters();
		parameters.addParameter("inseecode", "48095");
		parameters.addParameter("radius", "40");
		parameters.addParameter("consultation-type", "AMB");
		parameters.addParameter("consultation-type", "HH");
		parameters.addParameter("_count", "50");
		Response posted = fhir().post("/Slot/$contextual-search", parameters);
		assertThat(posted.status()).as(posted.toString()).isEqualTo(200);
		Bundle get = ok("inseecode=48095&radius=40&consultation-type=AMB&consultation-type=HH&_count=50");
		assertThat(ours(cards(posted.bundle()))).containsExactlyElementsOf(ours(cards(get)));
		assertThat(allSlots(posted.bundle())).containsExactlyElementsOf(allSlots(get)).contains(id("a3")).doesNotContain(id("b1"));
	}

	// --- refusals -------------------------------------------------------------------------------------------

	@Test
	void everyUnusableParameterIsRefusedNamingIt() {
		refused("", 400, "city");
		refused("inseecode=99999", 400, "inseecode");
		refused("postalcode=00000", 400, "postalcode");
		refused("departement=99", 400, "departement");
		refused("inseecode=48095&specialty=ZZ99", 400, "specialty");
		refused("inseecode=48095&end=" + t0.plusDays(9).format(SECONDS).replace("+", "%2B"), 400, "end");
		refused("inseecode=48095&start=" + t0.plusDays(2).format(SECONDS).replace("+", "%2B") + "&end="
				+ t0.plusDays(1).format(SECONDS).replace("+", "%2B"), 400, "end");
		refused("inseecode=48095&practitioner=12AB", 400, "practitioner");
		refused("latitude=95&longitude=3", 400, "latitude");
		refused("inseecode=48095&consultation-type=XYZ", 400, "consultation-type");
		List<String> origins = properties().getOrigins();
		origins.add("LRM-TEST");
		try {
			refused("inseecode=48095&origin=ELSEWHERE", 403, "origin");
			refused("inseecode=48095", 403, "origin");
			assertThat(fhir().get("/Slot/$contextual-search?inseecode=48095&origin=LRM-TEST").status()).isEqualTo(200);
		} finally {
			origins.remove("LRM-TEST");
		}
	}

	// --- conformance and freshness --------------------------------------------------------------------------

	/** The compact JSON answer is written from encoded resources; HAPI's serializer (pretty print) must say the same. */
	@Test
	void theSplicedAnswerIsHapisAnswer() {
		for (String query : List.of("practitioner=" + rppsDoctor + "&inseecode=48095&radius=40",
				"latitude=44.52&longitude=3.49&radius=40&_count=3", "practitioner=" + rpps() + "&departement=48")) {
			Response compact = fhir().get("/Slot/$contextual-search?" + query);
			Response hapi = fhir().get("/Slot/$contextual-search?" + query + "&_pretty=true");
			assertThat(compact.status()).as(compact.toString()).isEqualTo(200);
			assertThat(compact.body()).as("compact: written from the encoded resources").doesNotContain("\n  ");
			assertThat(hapi.body()).as("pretty: HAPI's serializer").contains("\n  ");
			Bundle spliced = compact.bundle();
			Bundle serialized = hapi.bundle();
			assertThat(spliced.getEntry()).as(query).hasSameSizeAs(serialized.getEntry()).isNotEmpty();
			assertThat(spliced.getTotalElement().getValue()).isEqualTo(serialized.getTotalElement().getValue());
			assertThat(spliced.getMeta().getProfile().get(0).getValue()).isEqualTo(serialized.getMeta().getProfile().get(0).getValue());
			assertThat(spliced.getLink()).hasSameSizeAs(serialized.getLink());
			for (int i = 0; i < spliced.getEntry().size(); i++) {
				Bundle.BundleEntryComponent a = spliced.getEntry().get(i);
				Bundle.BundleEntryComponent b = serialized.getEntry().get(i);
				assertThat(a.getFullUrl()).as(query + " #" + i).isEqualTo(b.getFullUrl());
				assertThat(a.getSearch().equalsDeep(b.getSearch())).as(query + " #" + i + " search").isTrue();
				assertThat(a.getResource().equalsDeep(b.getResource())).as(query + " #" + i + " " + a.getFullUrl()).isTrue();
			}
		}
	}

	@Test
	void theAnswerValidatesAgainstTheBundleProfileItDeclares() {
		Bundle answer = ok("practitioner=" + rppsDoctor + "&inseecode=48095&radius=40&_count=50");
		assertThat(answer.getMeta().getProfile()).extracting(p -> p.getValue()).containsExactly(ContextualSearch.BUNDLE_PROFILE);
		Response verdict = fhir().post("/Bundle/$validate?profile=" + ContextualSearch.BUNDLE_PROFILE, answer);
		assertThat(verdict.outcome().getIssue().stream()
				.filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR || i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
				.map(i -> i.getDiagnostics() + " @ " + i.getExpression())).isEmpty();
	}

	@Test
	void aWriteShowsInTheNextContextualSearch() {
		String around = "latitude=44.5200&longitude=3.4900&radius=40&_count=50";
		// A new slot.
		assertThat(fhir().put("/Slot/" + id("n1"), slot(id("n1"), id("sc3"), t0.plusHours(7), 20)).status()).isEqualTo(201);
		assertThat(slotsOf(ok(around), "PractitionerRole/" + id("r3"))).contains(id("n1"));
		// A booked slot.
		Appointment booking = appointment("x", UUID.randomUUID().toString(), rpps3, t0.plusHours(7));
		booking.setIdElement(null);
		booking.addSlot(new Reference("Slot/" + id("n1")));
		assertThat(fhir().post("/Appointment", booking).status()).isEqualTo(201);
		assertThat(slotsOf(ok(around), "PractitionerRole/" + id("r3"))).doesNotContain(id("n1"));
		// A moved place: the card's distance follows it.
		transaction(List.of(practitioner(id("p5"), rpps()), role("r5", "p5", "Marvejols", "48100", null, "SM54", "Médecine générale"),
				practitionerSchedule(id("sc5"), id("p5"), id("r5")), slot(id("e1"), id("sc5"), t0.plusHours(2), 20)));
		double before = card(ok(around), "PractitionerRole/" + id("r5")).distance();
		PractitionerRole moved = role("r5", "p5", "Mende", "48000", new GeoPoint(44.5201, 3.4901), "SM54", "Médecine générale");
		assertThat(fhir().put("/PractitionerRole/" + id("r5"), moved).status()).isEqualTo(200);
		double after = card(ok(around), "PractitionerRole/" + id("r5")).distance();
		assertThat(after).isLessThan(0.1).isLessThan(before);
	}

	@Test
	void aCardFollowsItsPractitionerWrittenAloneOrInTheSameTransactionAndGoesWithItsRole() {
		String first = rpps();
		String second = rpps();
		String third = rpps();
		String card = "PractitionerRole/" + id("r6");
		transaction(List.of(practitioner(id("p6"), first), role("r6", "p6", "Mende", "48000", null, "SM54", "Médecine générale")));
		assertThat(treatingDoctor(first)).isEqualTo(card);
		// The practitioner alone: the cards made of it follow.
		assertThat(fhir().put("/Practitioner/" + id("p6"), practitioner(id("p6"), second)).status()).isEqualTo(200);
		assertThat(treatingDoctor(second)).isEqualTo(card);
		assertThat(treatingDoctor(first)).isNull();
		// The role, then its practitioner, in one transaction: the card is made of what the transaction wrote.
		transaction(List.of(role("r6", "p6", "Marvejols", "48100", null, "SM54", "Médecine générale"), practitioner(id("p6"), third)));
		assertThat(treatingDoctor(third)).isEqualTo(card);
		assertThat(treatingDoctor(second)).isNull();
		// The role deleted: its card goes.
		assertThat(fhir().delete("/" + card).status()).isBetween(200, 204);
		assertThat(treatingDoctor(third)).isNull();
	}

	/** The card answered as the treating doctor of this RPPS, or null. */
	private String treatingDoctor(String rpps) {
		return cards(ok("practitioner=" + rpps + "&inseecode=48095&radius=40")).stream()
				.filter(c -> c.reason().equals("treating-doctor")).map(Card::card).findFirst().orElse(null);
	}

	// --- helpers ------------------------------------------------------------------------------------------

	record Card(String card, int rank, String reason, Double distance) {}

	private static GeoPoint commune(String insee) {
		return ReferenceTables.COMMUNES.byInsee(insee).orElseThrow().position();
	}

	private Bundle ok(String query) {
		return okUrl(fhir().base() + "/Slot/$contextual-search?" + query);
	}

	private Bundle okUrl(String url) {
		Response response = fhir().get(url);
		assertThat(response.status()).as(url + " -> " + response).isEqualTo(200);
		return response.bundle();
	}

	private void refused(String query, int status, String parameter) {
		Response response = fhir().get("/Slot/$contextual-search" + (query.isEmpty() ? "" : "?" + query));
		assertThat(response.status()).as(query + " -> " + response).isEqualTo(status);
		assertThat(response.outcome().getIssueFirstRep().getExpression()).extracting(e -> e.getValue()).as(query).contains(parameter);
	}

	/** The cards of an answer in rank order, from the extensions of its entries. */
	private static List<Card> cards(Bundle bundle) {
		Map<String, Card> cards = new java.util.LinkedHashMap<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Extension why = entry.getSearch().getExtensionByUrl(ContextualSearch.RANK_EXTENSION);
			if (why == null) {
				continue;
			}
			String card = cardOf(why);
			Extension distance = why.getExtensionByUrl("distance");
			cards.putIfAbsent(card, new Card(card, Integer.parseInt(why.getExtensionByUrl("rank").getValue().primitiveValue()),
					why.getExtensionByUrl("reason").getValue().primitiveValue(),
					distance == null ? null : Double.valueOf(distance.getValue().primitiveValue())));
		}
		return new ArrayList<>(cards.values());
	}

	private static String cardOf(Extension why) {
		return new org.hl7.fhir.r4.model.IdType(why.getExtensionByUrl("card").getValue().primitiveValue())
				.toUnqualifiedVersionless().getValue();
	}

	/** Only this fixture's cards (other suites share the server), but the twins and the moved cards of their own tests. */
	private List<Card> ours(List<Card> cards) {
		return cards.stream().filter(c -> c.card().endsWith("-" + s) && !c.card().contains("twin") && !c.card().contains("r5-")
						&& !c.card().contains("r6-"))
				.toList();
	}

	private Card card(Bundle bundle, String card) {
		return cards(bundle).stream().filter(c -> c.card().equals(card)).findFirst().orElseThrow();
	}

	private List<String> slotsOf(Bundle bundle, String card) {
		List<String> slots = new ArrayList<>();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Extension why = entry.getSearch().getExtensionByUrl(ContextualSearch.RANK_EXTENSION);
			if (why != null && entry.getResource() instanceof Slot slot
					&& card.equals(cardOf(why))) {
				slots.add(slot.getIdElement().getIdPart());
			}
		}
		return slots;
	}

	private List<String> allSlots(Bundle bundle) {
		Set<String> slots = new LinkedHashSet<>();
		for (Card card : ours(cards(bundle))) {
			slots.addAll(slotsOf(bundle, card.card()));
		}
		return new ArrayList<>(slots);
	}

	private static List<String> outcome(Bundle bundle) {
		return bundle.getEntry().stream().filter(e -> e.getResource() instanceof OperationOutcome)
				.flatMap(e -> ((OperationOutcome) e.getResource()).getIssue().stream()).map(i -> i.getDiagnostics()).toList();
	}

	private void transaction(List<Resource> resources) {
		Response response = fhir().putAll(resources);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
	}
}
