package fr.sas.fhir.search;

import fr.sas.fhir.common.GuideSearchRequest;
import fr.sas.fhir.common.SearchRefusal;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.RawHttp;
import fr.sas.fhir.support.TestClock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guide's three slot searches ({@code specifications_techniques-*-recherche_creneaux}) answered by the
 * dedicated path, checked entry by entry, against the rules of the guide and against HAPI's generic search on
 * the same data (request header {@code X-Sas-Search-Path: hapi}); on H2 and on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GuideSearchContract {

	/** The server under test: the enclosing suite's, whose Spring context is shared with the other suites. */
	abstract FhirHttp fhir();


	private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
	private final OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
	private final String s = UUID.randomUUID().toString().substring(0, 8);
	private final Random random = new Random();
	private final String rpps1 = rpps();
	private final String rpps2 = rpps();
	private final String rppsCpts = rpps();
	private final String siret1 = "3" + digits(14);
	private final String siret2 = "3" + digits(14);

	@BeforeAll
	void agendas() {
		List<Resource> graph = new ArrayList<>(List.of(
				practitioner("p1-" + s, rpps1), practitionerRole("r1-" + s, "p1-" + s),
				practitionerSchedule("sc1-" + s, "p1-" + s, "r1-" + s),
				practitioner("p2-" + s, rpps2), practitionerRole("r2a-" + s, "p2-" + s), practitionerRole("r2b-" + s, "p2-" + s),
				practitionerSchedule("sc2a-" + s, "p2-" + s, "r2a-" + s), practitionerSchedule("sc2b-" + s, "p2-" + s, "r2b-" + s),
				practitioner("p3-" + s, rppsCpts), practitionerRole("r3-" + s, "p3-" + s),
				practitionerSchedule("sc3-" + s, "p3-" + s, "r3-" + s),
				cptsOrganization("o1-" + s, "1" + digits(9)), cptsService("hs1-" + s, "o1-" + s),
				cptsOrganization("o2-" + s, "1" + digits(9)), cptsService("hs2-" + s, "o2-" + s),
				sosOrganization("sos1-" + s, siret1), sosLocation("l1-" + s, "sos1-" + s), sosLocation("l2-" + s, "sos1-" + s),
				sosSchedule("ss1-" + s, "l1-" + s), sosSchedule("ss2-" + s, "l2-" + s),
				sosOrganization("sos2-" + s, siret2), sosLocation("l3-" + s, "sos2-" + s), sosSchedule("ss3-" + s, "l3-" + s)));
		// Practitioner 1: three slots today, one tomorrow, one ended an hour ago, one in progress.
		graph.add(slot("a1-" + s, "sc1-" + s, t0.plusHours(1), 30));
		graph.add(slot("a2-" + s, "sc1-" + s, t0.plusHours(2), 30));
		graph.add(slot("a3-" + s, "sc1-" + s, t0.plusHours(3), 30));
		graph.add(slot("a4-" + s, "sc1-" + s, t0.plusHours(30), 30));
		graph.add(slot("ended-" + s, "sc1-" + s, t0.minusHours(2), 60));
		graph.add(slot("now-" + s, "sc1-" + s, t0.minusMinutes(10), 30));
		// Practitioner 2: one slot per role, one slot later booked, one outside the searched window.
		graph.add(slot("b1-" + s, "sc2a-" + s, t0.plusHours(1), 20));
		graph.add(slot("b2-" + s, "sc2b-" + s, t0.plusHours(4), 20));
		graph.add(slot("booked-" + s, "sc2a-" + s, t0.plusHours(5), 20));
		graph.add(slot("late-" + s, "sc2a-" + s, t0.plusDays(4), 20));
		// Practitioner 3: a slot shown to two CPTS, a CPTS slot tomorrow, an ordinary slot.
		Slot twoCpts = cptsSlot("c1-" + s, "sc3-" + s, "hs1-" + s, t0.plusHours(2), 30);
		twoCpts.getServiceType().add(cptsSlot("x", "sc3-" + s, "hs2-" + s, t0, 30).getServiceType().get(1));
		graph.add(twoCpts);
		graph.add(cptsSlot("c2-" + s, "sc3-" + s, "hs1-" + s, t0.plusHours(20), 30));
		graph.add(slot("c3-" + s, "sc3-" + s, t0.plusHours(3), 30));
		// SOS: place 1 has free slots in the window and a booked one; place 2 only outside the window.
		graph.add(sosSlot("d1-" + s, "ss1-" + s, t0.plusHours(1), 30));
		graph.add(sosSlot("d2-" + s, "ss1-" + s, t0.plusHours(2), 30));
		graph.add(sosSlot("dbooked-" + s, "ss1-" + s, t0.plusHours(3), 30));
		graph.add(sosSlot("e1-" + s, "ss2-" + s, t0.plusHours(60), 30));
		graph.add(sosSlot("f1-" + s, "ss3-" + s, t0.plusHours(5), 30));
		assertThat(transaction(graph).status()).isEqualTo(200);

		book("booked-" + s, rpps2, t0.plusHours(5));
		book("dbooked-" + s, rpps1, t0.plusHours(3));

		// A CPTS slot 50 h ahead, written while the server's clock was 10 h later: since then, beyond the window.
		TestClock.shift(Duration.ofHours(10));
		try {
			assertThat(transaction(List.of(cptsSlot("c4-" + s, "sc3-" + s, "hs1-" + s, t0.plusHours(50), 30))).status())
					.isEqualTo(200);
		} finally {
			TestClock.reset();
		}
	}

	@AfterEach
	void resetClock() {
		TestClock.reset();
	}

	// --- individual practitioners (INT_R01) ---------------------------------------------------------------

	@Test
	void practitionerSearchReturnsTheFreeSlotsWithTheirSchedulesPractitionersAndRoles() {
		Bundle bundle = ok(practitionerSearch(t0.minusHours(3), t0.plusHours(48), rpps1 + ", " + IDNPS_SYSTEM + "|" + rpps2));

		assertThat(entries(bundle)).isEqualTo(expected(
				"Slot/a1 match", "Slot/a2 match", "Slot/a3 match", "Slot/a4 match", "Slot/now match",
				"Slot/b1 match", "Slot/b2 match",
				"Schedule/sc1 include", "Schedule/sc2a include", "Schedule/sc2b include",
				"Practitioner/p1 include", "Practitioner/p2 include",
				"PractitionerRole/r1 include", "PractitionerRole/r2a include", "PractitionerRole/r2b include"));
		assertThat(bundle.getTotal()).isEqualTo(7);
		assertThat(bundle.getMeta().getProfile()).extracting(p -> p.getValue())
				.containsExactly("http://sas.fr/fhir/StructureDefinition/BundleAgregateur");
		assertThat(bundle.getLink()).hasSize(1);
		assertThat(bundle.getLink().get(0).getRelation()).isEqualTo("self");
		assertThat(bundle.getEntry()).allSatisfy(e -> assertThat(e.getFullUrl()).endsWith(
				e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart()));
		PractitionerRoleCheck.containedLocation(bundle);
	}

	@Test
	void theDedicatedPathAnswersExactlyAsHapisGenericSearchWhereTheSearchRulesAgree() {
		// From 30 minutes ahead: nothing ended, no CPTS slot beyond 48 h; booked slots are busy for both paths.
		String url = practitionerSearch(t0.plusMinutes(30), t0.plusHours(47), rpps1 + "," + rpps2 + "," + rppsCpts)
				+ "&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization";
		Bundle dedicated = ok(url);
		Bundle plain = okPlain(url);

		assertThat(dedicated.getTotal()).isEqualTo(plain.getTotal()).isEqualTo(9);
		assertThat(entries(dedicated)).isEqualTo(entries(plain));
		assertThat(resources(dedicated)).isEqualTo(resources(plain));
	}

	@Test
	void theCompactAnswerIsTheDocumentHapisSerializerWrites() throws Exception {
		String url = practitionerSearch(t0.minusHours(3), t0.plusHours(48), rpps1 + "," + rppsCpts)
				+ "&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization";
		Response compact = fhir().get(url);
		Response serialized = fhir().get(url + "&_pretty=true");
		assertThat(compact.body()).doesNotContain("\n  ");
		com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
		com.fasterxml.jackson.databind.node.ObjectNode a = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(compact.body());
		com.fasterxml.jackson.databind.node.ObjectNode b = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(serialized.body());
		for (com.fasterxml.jackson.databind.node.ObjectNode bundle : List.of(a, b)) {
			bundle.remove("id");
			((com.fasterxml.jackson.databind.node.ObjectNode) bundle.get("meta")).remove("lastUpdated");
			bundle.remove("link");
		}
		assertThat(a.get("entry").size()).isEqualTo(18);
		assertThat(a).isEqualTo(b);
		assertThat(compact.header("Content-Type")).startsWith("application/fhir+json");
	}

	@ParameterizedTest
	@ValueSource(strings = {
		// the guide's forms: spaces after commas or not, | raw or encoded, unprefixed RPPS, any parameter order
		"status=free&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|{1}, urn:oid:1.2.250.1.71.4.2.1|{2}&start=ge{lo}&start=le{hi}",
		"schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1%7C{1},urn:oid:1.2.250.1.71.4.2.1%7C{2u}&start=le{hi}&status=free&start=ge{lo}&_count=1000",
		"start=ge{lo-minute}&start=le{hi-ms}&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|{1u},urn:oid:1.2.250.1.71.4.2.1|{2}&status=free",
	})
	void everyParameterFormOfTheGuideFindsTheSameSlots(String query) {
		String lo = t0.plusMinutes(30).format(SECONDS);
		String hi = t0.plusHours(47).format(SECONDS);
		String url = "/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&" + query
				.replace("{1u}", rpps1.substring(1)).replace("{2u}", rpps2.substring(1))
				.replace("{1}", rpps1).replace("{2}", rpps2)
				.replace("{lo-minute}", t0.plusMinutes(30).withOffsetSameInstant(ZoneOffset.ofHours(2))
						.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mmXXX")))
				.replace("{hi-ms}", t0.plusHours(47).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")))
				.replace("{lo}", lo).replace("{hi}", hi);
		Bundle bundle = ok(url);
		assertThat(matches(bundle)).containsExactlyInAnyOrder(
				"Slot/a1-" + s, "Slot/a2-" + s, "Slot/a3-" + s, "Slot/a4-" + s, "Slot/b1-" + s, "Slot/b2-" + s);
		assertThat(bundle.getEntry()).filteredOn(e -> e.getResource() instanceof org.hl7.fhir.r4.model.Practitioner)
				.allSatisfy(e -> assertThat(((org.hl7.fhir.r4.model.Practitioner) e.getResource()).getIdentifierFirstRep()
						.getValue()).startsWith("8"));
	}

	@Test
	void anOffsetSentWithARawPlusIsReadAsTheGuideWritesIt() {
		String lo = t0.plusMinutes(30).withOffsetSameInstant(ZoneOffset.ofHours(2)).format(SECONDS);
		String hi = t0.plusHours(47).withOffsetSameInstant(ZoneOffset.ofHours(2)).format(SECONDS);
		Response response = fhir().getVerbatim("/Slot?schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1%7C"
				+ rpps1 + "&status=free&start=ge" + lo + "&start=le" + hi);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		assertThat(matches(response.bundle())).containsExactlyInAnyOrder(
				"Slot/a1-" + s, "Slot/a2-" + s, "Slot/a3-" + s, "Slot/a4-" + s);
	}

	@Test
	void endedAndBookedSlotsAreNeverReturnedWhileASlotInProgressIs() {
		Bundle bundle = ok(practitionerSearch(t0.minusHours(3), t0.plusHours(6), rpps1 + "," + rpps2));
		assertThat(matches(bundle)).contains("Slot/now-" + s)
				.doesNotContain("Slot/ended-" + s, "Slot/booked-" + s);
		// HAPI's generic search has no notion of an ended slot.
		assertThat(matches(okPlain(practitionerSearch(t0.minusHours(3), t0.plusHours(6), rpps1)))).contains("Slot/ended-" + s);

		TestClock.shift(Duration.ofHours(2).plusMinutes(5));
		assertThat(matches(ok(practitionerSearch(t0.minusHours(3), t0.plusHours(6), rpps1))))
				.containsExactlyInAnyOrder("Slot/a2-" + s, "Slot/a3-" + s);
	}

	@Test
	void everyWriteToASlotShowsInTheNextSearch() {
		// The dedicated path keeps each schedule's free slots in memory: writes must show at once.
		String p9 = rpps();
		String p10 = rpps();
		assertThat(transaction(List.of(
				practitioner("p9-" + s, p9), practitionerRole("r9-" + s, "p9-" + s),
				practitionerSchedule("sc9-" + s, "p9-" + s, "r9-" + s),
				practitioner("p10-" + s, p10), practitionerRole("r10-" + s, "p10-" + s),
				practitionerSchedule("sc10-" + s, "p10-" + s, "r10-" + s),
				slot("g1-" + s, "sc9-" + s, t0.plusHours(1), 30),
				slot("g2-" + s, "sc9-" + s, t0.plusHours(2), 30))).status()).isEqualTo(200);
		String search9 = practitionerSearch(t0, t0.plusHours(24), p9);
		String search10 = practitionerSearch(t0, t0.plusHours(24), p10);
		assertThat(matches(ok(search9))).containsExactly("Slot/g1-" + s, "Slot/g2-" + s);
		assertThat(matches(ok(search10))).isEmpty();

		book("g1-" + s, p9, t0.plusHours(1));
		assertThat(matches(ok(search9))).containsExactly("Slot/g2-" + s);

		assertThat(fhir().put("/Slot/g3-" + s, slot("g3-" + s, "sc9-" + s, t0.plusHours(3), 30)).status()).isEqualTo(201);
		assertThat(matches(ok(search9))).containsExactly("Slot/g2-" + s, "Slot/g3-" + s);

		assertThat(fhir().put("/Slot/g2-" + s, slot("g2-" + s, "sc10-" + s, t0.plusHours(2), 30)).status()).isEqualTo(200);
		assertThat(matches(ok(search9))).containsExactly("Slot/g3-" + s);
		assertThat(matches(ok(search10))).containsExactly("Slot/g2-" + s);

		assertThat(fhir().put("/Slot/g3-" + s, slot("g3-" + s, "sc9-" + s, t0.plusHours(4), 30)).status()).isEqualTo(200);
		Bundle moved = ok(search9);
		assertThat(moved.getEntry()).anySatisfy(e -> assertThat(((Slot) e.getResource()).getStart())
				.isEqualTo(java.util.Date.from(t0.plusHours(4).toInstant())));

		assertThat(fhir().delete("/Slot/g3-" + s).status()).isIn(200, 204);
		assertThat(matches(ok(search9))).isEmpty();
		assertThat(entries(ok(search9))).isEqualTo(entries(okPlain(search9)));
	}

	@Test
	void noMatchAnswersTotalZeroWithTheSelfLink() {
		Bundle bundle = ok(practitionerSearch(t0.plusHours(1), t0.plusHours(2), rpps()));
		assertThat(bundle.getTotal()).isZero();
		assertThat(bundle.getEntry()).isEmpty();
		assertThat(bundle.getLink()).extracting(Bundle.BundleLinkComponent::getRelation).containsExactly("self");
	}

	@Test
	void pagesFollowTheNextLinkAndKeepTheTotal() {
		String url = practitionerSearch(t0.minusHours(3), t0.plusHours(48), rpps1 + "," + rpps2) + "&_count=3";
		Bundle first = ok(url);
		assertThat(first.getTotal()).isEqualTo(7);
		assertThat(matches(first)).hasSize(3);
		List<String> all = new ArrayList<>(matches(first));
		Bundle page = first;
		while (page.getLink("next") != null) {
			page = ok(page.getLink("next").getUrl().substring(fhir().base().length()));
			assertThat(page.getTotal()).isEqualTo(7);
			all.addAll(matches(page));
		}
		assertThat(all).hasSize(7).doesNotHaveDuplicates();
		assertThat(matches(ok(practitionerSearch(t0.minusHours(3), t0.plusHours(48), rpps1 + "," + rpps2))))
				.containsExactlyElementsOf(all);
	}

	@Test
	void withoutCountEveryMatchComesInOnePageWithItsSelfLinkOnlyAsTheBundleProfilesAllowOneLink() {
		String rpps = rpps();
		String id = "many-" + s;
		List<Resource> agenda = new ArrayList<>(List.of(practitioner("p-" + id, rpps), practitionerRole("r-" + id, "p-" + id),
				practitionerSchedule("sc-" + id, "p-" + id, "r-" + id)));
		for (int i = 0; i < 120; i++) { // more than HAPI's default page of 100
			agenda.add(slot("s" + i + "-" + id, "sc-" + id, t0.plusHours(1).plusMinutes(15L * i), 15));
		}
		assertThat(transaction(agenda).status()).isEqualTo(200);
		Bundle bundle = ok(practitionerSearch(t0, t0.plusHours(48), rpps));
		assertThat(bundle.getTotal()).isEqualTo(120);
		assertThat(matches(bundle)).hasSize(120);
		assertThat(bundle.getLink()).extracting(Bundle.BundleLinkComponent::getRelation).containsExactly("self");
	}

	// --- CPTS (INT_R04) -----------------------------------------------------------------------------------

	@Test
	void cptsSearchBringsEachServiceAndOrganizationOnceAndDeclaresTheCptsBundleProfile() {
		Bundle bundle = ok(practitionerSearch(t0.plusMinutes(30), t0.plusHours(72), rppsCpts)
				+ "&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization");

		assertThat(entries(bundle)).isEqualTo(expected(
				"Slot/c1 match", "Slot/c2 match", "Slot/c3 match",
				"Schedule/sc3 include", "Practitioner/p3 include", "PractitionerRole/r3 include",
				"HealthcareService/hs1 include", "HealthcareService/hs2 include",
				"Organization/o1 include", "Organization/o2 include"));
		assertThat(bundle.getMeta().getProfile()).extracting(p -> p.getValue()).containsExactly(
				"https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-bundle-aggregator");
	}

	@Test
	void aCptsSlotBeyondTheWindowIsNeverReturnedEvenOneStoredEarlier() {
		String url = practitionerSearch(t0.plusMinutes(30), t0.plusHours(72), rppsCpts);
		assertThat(matches(ok(url))).doesNotContain("Slot/c4-" + s);
		assertThat(matches(okPlain(url))).contains("Slot/c4-" + s);

		TestClock.shift(Duration.ofHours(10));
		assertThat(matches(ok(url))).contains("Slot/c4-" + s);
	}

	// --- SOS Médecins --------------------------------------------------------------------------------------

	@Test
	void sosSearchMatchesSchedulesWithAFreeSlotInTheWindowAndIncludesOnlyThoseSlots() {
		Bundle bundle = ok(sosSearch(t0.plusMinutes(30), t0.plusHours(24), IDNST_SYSTEM + "|" + siret1 + "," + IDNST_SYSTEM + "|" + siret2));

		assertThat(entries(bundle)).isEqualTo(expected(
				"Schedule/ss1 match", "Schedule/ss3 match",
				"Slot/d1 include", "Slot/d2 include", "Slot/f1 include",
				"Location/l1 include", "Location/l3 include",
				"Organization/sos1 include", "Organization/sos2 include"));
		assertThat(bundle.getTotal()).isEqualTo(3);
		assertThat(bundle.getMeta().getProfile()).extracting(p -> p.getValue()).containsExactly(
				"https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-sos-bundle-aggregator");
	}

	@Test
	void hapisGenericSearchIsNotWhatSosNeeds() {
		// The guide's intent, kept by the dedicated path, and what HAPI's generic _has/_revinclude gives instead.
		String url = sosSearch(t0.plusMinutes(30), t0.plusHours(24), IDNST_SYSTEM + "|" + siret1);
		assertThat(ok(url).getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
				.doesNotContain("dbooked-" + s, "e1-" + s, "ss2-" + s);
		assertThat(okPlain(url).getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
				.contains("dbooked-" + s);
	}

	@Test
	void eachAnswerValidatesAgainstTheBundleProfileItDeclares() {
		for (String url : List.of(
				practitionerSearch(t0.minusHours(3), t0.plusHours(48), rpps1 + "," + rpps2),
				practitionerSearch(t0.plusMinutes(30), t0.plusHours(72), rppsCpts)
						+ "&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization",
				sosSearch(t0.plusMinutes(30), t0.plusHours(24), IDNST_SYSTEM + "|" + siret1 + "," + IDNST_SYSTEM + "|" + siret2))) {
			Bundle bundle = ok(url);
			String profile = bundle.getMeta().getProfile().get(0).getValue();
			Response verdict = fhir().post("/Bundle/$validate?profile=" + profile, bundle);
			assertThat(verdict.status()).as(verdict.toString()).isEqualTo(200);
			assertThat(verdict.outcome().getIssue())
					.as(profile + ": " + verdict)
					.noneMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
							|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL);
		}
	}

	// --- refused requests ----------------------------------------------------------------------------------

	@Test
	void aSearchMissingAGuideCriterionIsRefusedNamingTheParameter() {
		String ids = "schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|" + rpps1;
		String lo = "start=ge" + t0.format(SECONDS);
		String hi = "start=le" + t0.plusHours(4).format(SECONDS);
		assertRefused("/Slot?" + ids + "&" + lo + "&status=free", "start");
		assertRefused("/Slot?" + ids + "&" + hi + "&status=free", "start");
		assertRefused("/Slot?" + ids + "&" + lo + "&" + hi, "status");
		assertRefused("/Slot?" + ids + "&" + lo + "&" + hi + "&status=busy", "status");
		assertRefused("/Slot?" + ids + "&start=ge2024-13-45T10:00:00&" + hi + "&status=free", "start");
		assertRefused("/Slot?" + ids + "&start=geyesterday&" + hi + "&status=free", "start");
		assertRefused("/Slot?schedule.actor:Practitioner.identifier=&" + lo + "&" + hi + "&status=free",
				GuideSearchRequest.PRACTITIONER_CHAIN);
		String many = java.util.stream.IntStream.range(0, 26).mapToObj(i -> IDNPS_SYSTEM + "|" + rpps())
				.collect(Collectors.joining(","));
		assertRefused("/Slot?schedule.actor:Practitioner.identifier=" + many + "&" + lo + "&" + hi + "&status=free",
				GuideSearchRequest.PRACTITIONER_CHAIN);
		String elevenSiret = java.util.stream.IntStream.range(0, 11).mapToObj(i -> IDNST_SYSTEM + "|3" + digits(14))
				.collect(Collectors.joining(","));
		assertRefused(sosSearch(t0, t0.plusHours(4), elevenSiret), GuideSearchRequest.SOS_CHAIN);
		assertRefused("/Schedule?actor:Location.organization.identifier=" + IDNST_SYSTEM + "|" + siret1
				+ "&_has:Slot:schedule:start=ge" + t0.format(SECONDS) + "&_has:Slot:schedule:status=free",
				"_has:Slot:schedule:start");
	}

	@Test
	void otherSearchesKeepStandardFhirSemantics() {
		// _summary=count is not part of the guide's shape: HAPI's generic search answers it.
		Bundle count = ok(practitionerSearch(t0.minusHours(3), t0.plusHours(6), rpps1) + "&_summary=count");
		assertThat(count.getEntry()).isEmpty();
		assertThat(count.getTotal()).isEqualTo(5); // the ended slot included: no SAS rule outside the guide's shape
		assertThat(ok("/Slot?schedule=Schedule/sc1-" + s + "&_count=2").getTotal()).isEqualTo(6);
	}

	// --- the guide's URLs as printed -------------------------------------------------------------------------

	@Test
	void theGuidesUrlsSentRawAnswerAsWhenPercentEncoded() {
		RawHttp raw = new RawHttp(fhir().base());
		// The CPTS page's offsets (+02:00, sent raw: the '+' arrives as a space) and raw '|' in every identifier.
		OffsetDateTime lo = t0.plusMinutes(30).withOffsetSameInstant(ZoneOffset.ofHours(2));
		OffsetDateTime hi = t0.plusHours(47).withOffsetSameInstant(ZoneOffset.ofHours(2));
		String individual = practitionerSearch(lo, hi, rpps1 + "," + rpps2);
		String cpts = practitionerSearch(lo, hi, rppsCpts)
				+ "&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization";
		String sos = sosSearch(lo, hi.minusHours(23), IDNST_SYSTEM + "|" + siret1 + "," + IDNST_SYSTEM + "|" + siret2);
		for (String url : List.of(individual, cpts, sos)) {
			RawHttp.Response sent = raw.get(url, "Accept: application/json+fhir");
			assertThat(sent.status()).as(url + " -> " + sent).isEqualTo(200);
			assertThat(sent.contentType()).startsWith("application/json+fhir");
			assertThat(sent.bundle().getEntry()).as(url).isNotEmpty();
			assertThat(entries(sent.bundle())).as(url).isEqualTo(entries(ok(url)));
			// The PS page's space after each comma, which a client must encode (%20) to send at all.
			RawHttp.Response spaced = raw.get(url.replace(",", ",%20"));
			assertThat(entries(spaced.bundle())).as(url).isEqualTo(entries(ok(url)));
		}
		// The SOS page's prose writes the include Location:Organization: read as Location:organization, with a warning.
		RawHttp.Response prose = raw.get(sos.replace("Location:organization", "Location:Organization"));
		assertThat(prose.status()).as(prose.toString()).isEqualTo(200);
		assertThat(entries(prose.bundle())).isEqualTo(entries(ok(sos)));
		assertThat(prose.headers().get("x-fhir-request-validation")).contains("SAS-parameter-name", "Location:organization");
	}

	// --- helpers -------------------------------------------------------------------------------------------

	private String practitionerSearch(OffsetDateTime lo, OffsetDateTime hi, String identifiers) {
		String ids = java.util.Arrays.stream(identifiers.split(","))
				.map(String::trim)
				.map(id -> id.contains("|") ? id : IDNPS_SYSTEM + "|" + id)
				.collect(Collectors.joining(","));
		return "/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&start=ge" + lo.format(SECONDS)
				+ "&start=le" + hi.format(SECONDS) + "&schedule.actor:Practitioner.identifier=" + ids + "&status=free";
	}

	private String sosSearch(OffsetDateTime lo, OffsetDateTime hi, String identifiers) {
		return "/Schedule?_revinclude=Slot:schedule&_include=Schedule:actor:Location&_include:iterate=Location:organization"
				+ "&_has:Slot:schedule:start=ge" + lo.format(SECONDS) + "&_has:Slot:schedule:start=le" + hi.format(SECONDS)
				+ "&_has:Slot:schedule:status=free&actor:Location.organization.identifier=" + identifiers;
	}

	private Bundle ok(String url) {
		Response response = fhir().get(url);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return response.bundle();
	}

	private Bundle okPlain(String url) {
		Response response = fhir().get(url, GuideSearchInterceptor.PATH_HEADER, "hapi");
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return response.bundle();
	}

	private void assertRefused(String url, String parameter) {
		Response response = fhir().get(url);
		assertThat(response.status()).as(url + " -> " + response).isEqualTo(400);
		OperationOutcome outcome = response.outcome();
		assertThat(outcome.getIssue()).as(response.toString()).anySatisfy(issue -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(issue.getExpression()).extracting(e -> e.getValue()).contains(parameter);
			assertThat(issue.getDetails().getCodingFirstRep().getCode()).isEqualTo(SearchRefusal.RULE);
		});
	}

	/** Entries as "Type/id mode", sorted. */
	private static List<String> entries(Bundle bundle) {
		return bundle.getEntry().stream()
				.map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart() + " "
						+ e.getSearch().getMode().toCode())
				.sorted().toList();
	}

	private List<String> expected(String... entries) {
		return java.util.Arrays.stream(entries)
				.map(e -> e.replace(" ", "-" + s + " "))
				.sorted().toList();
	}

	private static List<String> matches(Bundle bundle) {
		return bundle.getEntry().stream()
				.filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
				.map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
				.toList();
	}

	/** Each entry's resource as JSON, by full URL. */
	private static Map<String, String> resources(Bundle bundle) {
		Map<String, String> out = new TreeMap<>();
		bundle.getEntry().forEach(e -> out.put(e.getFullUrl(), FhirHttp.CTX.newJsonParser().encodeResourceToString(e.getResource())));
		return out;
	}

	private Response transaction(List<Resource> resources) {
		Response response = fhir().putAll(resources);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return response;
	}

	private void book(String slotId, String rpps, OffsetDateTime start) {
		Appointment a = appointment("x", UUID.randomUUID().toString(), rpps, start);
		a.setIdElement(null);
		a.addSlot(new Reference("Slot/" + slotId));
		Response response = fhir().post("/Appointment", a);
		assertThat(response.status()).as(response.toString()).isEqualTo(201);
	}

	private String rpps() {
		return "81" + digits(10);
	}

	private String digits(int n) {
		StringBuilder b = new StringBuilder();
		for (int i = 0; i < n; i++) {
			b.append(random.nextInt(10));
		}
		return b.toString();
	}

	/** The guide expects the role with its contained Location among the includes. */
	private static final class PractitionerRoleCheck {
		static void containedLocation(Bundle bundle) {
			assertThat(bundle.getEntry()).filteredOn(e -> e.getResource() instanceof org.hl7.fhir.r4.model.PractitionerRole)
					.allSatisfy(e -> assertThat(((org.hl7.fhir.r4.model.PractitionerRole) e.getResource()).getContained())
							.hasSize(1));
		}
	}
}
