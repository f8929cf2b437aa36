package fr.sas.fhir.security;

import fr.sas.fhir.support.TestPki;
import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.common.ServedResourceTypes;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Slot;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may do what, as a stranger would try it: every hostile request gets its status with a FHIR
 * OperationOutcome (or no TLS session at all), and the store is unchanged afterwards (every resource, by id and
 * version). The legitimate requests beside them succeed, so a server refusing everything fails too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SecurityContract {

	/** No HTTP answer: the TLS handshake refused the certificate. */
	static final int NO_TLS = -1;

	abstract SecuredServer server();

	private final String run = UUID.randomUUID().toString().substring(0, 8);
	private final String rppsB = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
	private final String accountId = UUID.randomUUID().toString();
	private String regulatorAccount;

	FhirHttp publisherA() {
		return server().certificate(SecuredServer.PUBLISHER_A);
	}

	FhirHttp publisherB() {
		return server().certificate(SecuredServer.PUBLISHER_B);
	}

	FhirHttp platform() {
		return server().certificate(SecuredServer.PLATFORM);
	}

	FhirHttp lrm() {
		return server().certificate(SecuredServer.LRM);
	}

	FhirHttp admin() {
		return server().certificate(SecuredServer.ADMIN);
	}

	FhirHttp regulator() {
		return server().bearer(SecuredServer.TOKENS.token("810000000001", "REGULATEUR"));
	}

	FhirHttp analyst() {
		return server().bearer(SecuredServer.TOKENS.token("810000000002", "ANALYSTE"));
	}

	String id(String name) {
		return "sec-" + run + "-" + name;
	}

	@BeforeAll
	void publisherBsAgendaAndARegulatorAccount() {
		OffsetDateTime tomorrow = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withHour(9).withMinute(0).withSecond(0).withNano(0);
		FhirHttp b = publisherB();
		expect(b.put("/Practitioner/" + id("pract-b"), practitioner(id("pract-b"), rppsB)), 201);
		expect(b.put("/PractitionerRole/" + id("role-b"), practitionerRole(id("role-b"), id("pract-b"))), 201);
		expect(b.put("/Schedule/" + id("sched-b"), practitionerSchedule(id("sched-b"), id("pract-b"), id("role-b"))), 201);
		expect(b.put("/Slot/" + id("slot-b"), slot(id("slot-b"), id("sched-b"), tomorrow, 15)), 201);
		Response account = platform().put("/Practitioner?identifier=" + SAS_SYSTEM + "|" + accountId, regulatorAccount());
		expect(account, 201);
		regulatorAccount = account.resource().getIdElement().getIdPart();
	}

	private Practitioner regulatorAccount() {
		Practitioner p = new Practitioner();
		p.getMeta().setSource(SAS_SYSTEM).addProfile(SD + "FrPractitionerRegul");
		p.addIdentifier(identifier(FR_V2_0203, "INTRN", SAS_SYSTEM, accountId));
		p.setActive(true);
		p.addName().setFamily("Loridon").addGiven("Sébastien");
		p.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("s.loridon@example.fr");
		return p;
	}

	private static void expect(Response response, int status) {
		assertThat(response.status()).as(response.toString()).isEqualTo(status);
	}

	/** Every stored resource, "Type/id" to its version, as the administrator reads them. */
	private TreeMap<String, String> store() {
		TreeMap<String, String> all = new TreeMap<>();
		for (String type : ServedResourceTypes.ALL) {
			if (type.equals("CapabilityStatement")) {
				continue;
			}
			Response page = admin().get("/" + type + "?_count=1000");
			assertThat(page.status()).as(page.toString()).isEqualTo(200);
			for (Bundle.BundleEntryComponent entry : page.bundle().getEntry()) {
				all.put(type + "/" + entry.getResource().getIdElement().getIdPart(), entry.getResource().getMeta().getVersionId());
			}
		}
		return all;
	}

	private record Hostile(String name, int status, Supplier<Response> request) {}

	private static Response attempt(Supplier<Response> request) {
		try {
			return request.get();
		} catch (UncheckedIOException e) {
			return new Response(NO_TLS, String.valueOf(e.getCause()), null);
		}
	}

	@Test
	void hostileRequestsAreRefusedAndChangeNothing() {
		OffsetDateTime tomorrow = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withHour(10).withMinute(0).withSecond(0).withNano(0);
		Slot rewritten = slot(id("slot-b"), id("sched-b"), tomorrow, 15);
		rewritten.setComment("https://attacker.example/book");
		Slot mine = slot(id("slot-a"), id("sched-b"), tomorrow, 15);
		SecuredServer s = server();
		String regulatorToken = "/Slot/" + id("slot-b");
		List<Hostile> hostile = List.of(
				new Hostile("no certificate, no token: read", 401, () -> s.anonymous().get("/Slot?_count=1")),
				new Hostile("no certificate, no token: write", 401, () -> s.anonymous().put("/Slot/" + id("slot-b"), rewritten)),
				new Hostile("no certificate, no token: $expunge", 401, () -> s.anonymous().post("/$expunge", expunge())),
				new Hostile("untrusted authority", NO_TLS, () -> s.over(SecuredServer.PKI, SecuredServer.STRANGER.valid(SecuredServer.PUBLISHER_A))
						.put("/Slot/" + id("slot-b"), rewritten)),
				new Hostile("valid chain, unregistered CN", 403, () -> s.certificate("CN=Editeur Inconnu,OU=Logiciels de rendez-vous,O=X,C=FR")
						.get("/Slot?_count=1")),
				new Hostile("right CN, wrong OU", 403, () -> s.certificate("CN=Éditeur Alpha Santé,OU=Autre service,O=Alpha,C=FR")
						.put("/Slot/" + id("slot-b"), rewritten)),
				new Hostile("CN without its accents", 403, () -> s.certificate("CN=Editeur Alpha Sante,OU=Logiciels de rendez-vous,O=Alpha,C=FR")
						.get("/Slot?_count=1")),
				new Hostile("revoked certificate (the authority's CRL)", NO_TLS, () -> s.over(SecuredServer.PKI, SecuredServer.REVOKED)
						.put("/Slot/" + id("slot-b"), rewritten)),
				new Hostile("expired certificate", NO_TLS, () -> s.over(SecuredServer.PKI, SecuredServer.expired(SecuredServer.PUBLISHER_A))
						.get("/Slot?_count=1")),
				new Hostile("client header from an untrusted address", 403, () -> s.anonymous().with("X-Client-Subject", SecuredServer.ADMIN)
						.post("/$expunge", expunge())),
				new Hostile("empty bearer token", 401, () -> s.anonymous().with("Authorization", "Bearer ").get("/Slot?_count=1")),
				new Hostile("bad signature", 401, () -> s.bearer(SecuredServer.TOKENS.forged("810000000001", "REGULATEUR")).get("/Slot?_count=1")),
				new Hostile("wrong issuer", 401, () -> s.bearer(SecuredServer.TOKENS.sign(SecuredServer.TOKENS.claims("810000000001", "REGULATEUR")
						.issuer("https://attacker.example").build())).get("/Slot?_count=1")),
				new Hostile("wrong audience", 401, () -> s.bearer(SecuredServer.TOKENS.sign(SecuredServer.TOKENS.claims("810000000001", "REGULATEUR")
						.audience("another-service").build())).get("/Slot?_count=1")),
				new Hostile("expired token", 401, () -> s.bearer(SecuredServer.TOKENS.sign(SecuredServer.TOKENS.claims("810000000001", "REGULATEUR")
						.expirationTime(java.util.Date.from(java.time.Instant.now().minusSeconds(600))).build())).get("/Slot?_count=1")),
				new Hostile("token with no role here", 401, () -> s.bearer(SecuredServer.TOKENS.token("810000000001", "INFIRMIER")).get("/Slot?_count=1")),
				new Hostile("analyst writing a slot", 403, () -> analyst().put("/Slot/" + id("slot-b"), rewritten)),
				new Hostile("analyst deleting a slot", 403, () -> analyst().delete("/Slot/" + id("slot-b"))),
				new Hostile("regulator writing a slot", 403, () -> regulator().put(regulatorToken, rewritten)),
				new Hostile("regulator writing a practitioner", 403, () -> regulator().put("/Practitioner/" + id("pract-b"),
						practitioner(id("pract-b"), rppsB))),
				new Hostile("LRM writing a slot", 403, () -> lrm().put("/Slot/" + id("slot-b"), rewritten)),
				new Hostile("publisher A updating B's slot", 403, () -> publisherA().put("/Slot/" + id("slot-b"), rewritten)),
				new Hostile("publisher A deleting B's slot", 403, () -> publisherA().delete("/Slot/" + id("slot-b"))),
				new Hostile("publisher A conditionally deleting B's practitioner (scoped to A's: nothing found)", 200, () -> publisherA()
						.delete("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rppsB)),
				new Hostile("publisher A transacting on B's slot", 403, () -> publisherA().post("", transaction(rewritten, null))),
				new Hostile("publisher A transacting a delete of B's practitioner", 403, () -> publisherA().post("",
						transaction(null, "Practitioner/" + id("pract-b")))),
				new Hostile("publisher writing a StructureDefinition", 403, () -> publisherA().put("/StructureDefinition/sec-" + run,
						structureDefinition("sec-" + run))),
				new Hostile("LRM writing a StructureDefinition", 403, () -> lrm().put("/StructureDefinition/sec-" + run, structureDefinition("sec-" + run))),
				new Hostile("publisher running $expunge", 403, () -> publisherA().post("/$expunge", expunge())),
				new Hostile("platform running $expunge", 403, () -> platform().post("/$expunge", expunge())),
				new Hostile("LRM running $expunge", 403, () -> lrm().post("/$expunge", expunge())),
				new Hostile("publisher running $index-rebuild", 403, () -> publisherA().post("/$index-rebuild", new org.hl7.fhir.r4.model.Parameters())),
				new Hostile("LRM running $index-rebuild", 403, () -> lrm().post("/$index-rebuild", new org.hl7.fhir.r4.model.Parameters())),
				new Hostile("regulator running $expunge", 403, () -> regulator().post("/$expunge", expunge())),
				new Hostile("publisher running the card rebuild", 403, () -> publisherA().post("/$contextual-rebuild", "{\"resourceType\":\"Parameters\"}")),
				new Hostile("publisher reading a regulator account", 403, () -> publisherA().get("/Practitioner/" + regulatorAccount)),
				new Hostile("publisher searching regulator accounts", 403, () -> publisherA().get("/Practitioner?identifier=" + SAS_SYSTEM + "|" + accountId)),
				new Hostile("publisher probing with _has", 403, () -> publisherA()
						.get("/Practitioner?_has:PractitionerRole:practitioner:_id=" + id("role-b"))),
				new Hostile("publisher probing by chain", 403, () -> publisherA().get("/PractitionerRole?practitioner.identifier=" + SAS_SYSTEM + "|" + accountId)),
				new Hostile("publisher writing a regulator account", 403, () -> publisherA().put("/Practitioner/" + regulatorAccount,
						regulatorAccount().setId(regulatorAccount))),
				new Hostile("platform rewriting a publisher's practitioner", 403, () -> platform().put("/Practitioner/" + id("pract-b"),
						practitioner(id("pract-b"), rppsB))),
				new Hostile("oversized body", 413, () -> s.announcing("/Slot", 11L << 20)),
				new Hostile("deep nesting", 400, () -> publisherA().post("/Slot", "{\"resourceType\":\"Slot\",\"extension\":" + "[{\"extension\":".repeat(3000)
						+ "[]" + "}]".repeat(3000) + "}")),
				new Hostile("a transaction over the entry limit", 413, () -> publisherA().post("", manySlots(51, tomorrow))),
				new Hostile("malformed JSON", 400, () -> publisherA().post("/Slot", "{\"resourceType\":\"Slot\",")),
				new Hostile("traversal in an id", 400, () -> publisherA().put("/Slot/..%2F..%2FStructureDefinition%2Fx", mine)),
				new Hostile("publisher reading the audit trail", 403, () -> publisherA().get("/$audit")),
				new Hostile("analyst reading the audit trail", 403, () -> analyst().get("/$audit")),
				new Hostile("TRACE", 405, () -> publisherA().send("TRACE", "/metadata")),
				new Hostile("a burst over the regulator's rate limit (10, then 1 a second)", 429, () -> {
					FhirHttp burst = s.bearer(SecuredServer.TOKENS.token("810000000099", "REGULATEUR"));
					Response last = null;
					for (int i = 0; i < 12; i++) {
						last = burst.get("/Slot?_count=1");
					}
					assertThat(last.header("Retry-After")).as("Retry-After").isNotBlank();
					return last;
				}));
		TreeMap<String, String> before = store();
		List<String> wrong = new ArrayList<>();
		for (Hostile h : hostile) {
			Response response = attempt(h.request());
			if (response.status() != h.status()) {
				wrong.add(h.name() + ": expected " + h.status() + ", got " + response);
			} else if (response.status() >= 400 && !response.body().contains("\"OperationOutcome\"")) {
				wrong.add(h.name() + ": " + response.status() + " without an OperationOutcome: " + response);
			}
		}
		assertThat(wrong).isEmpty();
		assertThat(hostile).hasSizeGreaterThanOrEqualTo(30);
		assertThat(store()).isEqualTo(before);
		Slot stored = (Slot) admin().get("/Slot/" + id("slot-b")).resource();
		assertThat(stored.getComment()).doesNotContain("attacker");

		// Every refusal is in the audit trail, with who tried and what.
		List<org.hl7.fhir.r4.model.AuditEvent> refusedA = audit("who=editeur-alpha&status=403");
		assertThat(refusedA).extracting(e -> e.getEntityFirstRep().getDescription())
				.anyMatch(what -> what != null && what.contains("Slot/" + id("slot-b")))
				.anyMatch(what -> what != null && what.contains("$expunge"));
		assertThat(audit("status=401")).isNotEmpty();
		assertThat(audit("status=413")).isNotEmpty();
		assertThat(audit("status=429")).extracting(e -> e.getAgentFirstRep().getWho().getIdentifier().getValue())
				.contains("810000000099");
		assertThat(audit("who=exploitation&status=403")).as("the spoofed proxy header is not the admin").isEmpty();
	}

	private List<org.hl7.fhir.r4.model.AuditEvent> audit(String query) {
		Response trail = admin().get("/$audit?_count=1000&" + query);
		assertThat(trail.status()).as(trail.toString()).isEqualTo(200);
		return trail.bundle().getEntry().stream().map(e -> (org.hl7.fhir.r4.model.AuditEvent) e.getResource()).toList();
	}

	@Test
	void eachRoleDoesWhatTheMatrixAllows() {
		OffsetDateTime tomorrow = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withHour(11).withMinute(0).withSecond(0).withNano(0);
		Response metadata = server().anonymous().get("/metadata");
		expect(metadata, 200);
		Response read = lrm().get("/Slot/" + id("slot-b"));
		expect(read, 200);
		assertThat(read.header("X-Content-Type-Options")).isEqualTo("nosniff");
		assertThat(read.header("Cache-Control")).contains("no-store");
		assertThat(read.header("X-Sas-Security")).as("not the local trial").isNull();
		expect(publisherB().put("/Slot/" + id("slot-b2"), slot(id("slot-b2"), id("sched-b"), tomorrow, 15)), 201);
		expect(lrm().get("/Slot?schedule.actor:PractitionerRole=" + id("role-b") + "&status=free"), 200);
		Response guide = regulator().get("/Slot?_include=Slot:schedule&_id=" + id("slot-b2"));
		expect(guide, 200);
		assertThat(guide.bundle().getEntry()).extracting(e -> e.getResource().fhirType()).contains("Slot", "Schedule");
		expect(analyst().get("/Appointment?_count=1"), 200);
		expect(platform().get("/Practitioner/" + regulatorAccount), 200);
		expect(admin().get("/StructureDefinition?_count=1"), 200);
		expect(publisherA().get("/StructureDefinition?_count=1"), 200);
		Response bRead = publisherA().get("/Slot/" + id("slot-b"));
		expect(bRead, 200);
		// The write and the searches are in the audit trail.
		assertThat(audit("who=editeur-beta")).extracting(e -> e.getEntityFirstRep().getDescription())
				.anyMatch(what -> what != null && what.contains("Slot/" + id("slot-b2")));
		assertThat(audit("who=lrm-samu35&status=200")).extracting(e -> e.getSubtypeFirstRep().getCode()).contains("search-type");
	}

	/**
	 * search: the analyst's sorted page of free slots, answered around HAPI's SQL (SortedSlotPageInterceptor), is
	 * refused to whoever HAPI's search would refuse, and audited as HAPI's is.
	 */
	@Test
	void theAnalystsSortedPageOfFreeSlotsKeepsTheRoleMatrix() {
		OffsetDateTime later = OffsetDateTime.now(ZoneOffset.UTC).plusDays(2).withHour(10).withMinute(0).withSecond(0).withNano(0);
		expect(publisherB().put("/Slot/" + id("slot-b3"), slot(id("slot-b3"), id("sched-b"), later, 15)), 201);
		String page = "/Slot?status=free&start=ge" + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
				+ "&_sort=start&_count=1";
		Response analysts = analyst().get(page);
		expect(analysts, 200);
		assertThat(analysts.bundle().getTotal()).isGreaterThanOrEqualTo(2);
		assertThat(analysts.bundle().getLink("next").getUrl()).as("the fast path's paging").contains("_offset=1");
		expect(publisherA().get(page), 200);
		expect(server().anonymous().get(page), 401);
		expect(server().bearer(SecuredServer.TOKENS.token("810000000001", "INFIRMIER")).get(page), 401);
		assertThat(audit("who=810000000002&status=200")).extracting(e -> e.getEntityFirstRep().getDescription())
				.anyMatch(what -> what != null && what.contains("_sort=start"));
	}

	/** analytics: the indicators are the analysts' and the administrators'; their evaluations are audited. */
	@Test
	void onlyAnalystsAndAdministratorsEvaluateTheIndicators() {
		String evaluate = "/Measure/sas-slots-offered/$evaluate-measure?periodStart=2026-01-01&periodEnd=2026-01-31";
		Response analysts = analyst().get(evaluate);
		expect(analysts, 200);
		assertThat(analysts.resource().fhirType()).isEqualTo("MeasureReport");
		expect(admin().get(evaluate), 200);
		expect(analyst().get("/Measure/sas-slots-offered"), 200);
		for (FhirHttp caller : List.of(publisherA(), platform(), lrm(), regulator())) {
			Response refused = caller.get(evaluate);
			expect(refused, 403);
			assertThat(refused.outcome().getIssueFirstRep().getDetails().getCodingFirstRep().getCode()).isEqualTo("SAS-authorization");
		}
		assertThat(audit("who=810000000002&status=200")).extracting(e -> e.getEntityFirstRep().getDescription())
				.anyMatch(what -> what != null && what.contains("$evaluate-measure"));
		// bulk data: the analyst's export starts; a publisher's is refused
		expect(analyst().get("/$export?_type=Slot", "Prefer", "respond-async"), 202);
		expect(publisherA().get("/$export?_type=Slot", "Prefer", "respond-async"), 403);
		expect(regulator().get("/$export?_type=Slot", "Prefer", "respond-async"), 403);
	}

	/** analytics: the dashboard page is served to anyone, its figures only to who may evaluate the indicators. */
	@Test
	void theDashboardShowsNoDataToACallerWithoutTheRight() {
		try (fr.sas.fhir.support.HeadlessChromium chromium = fr.sas.fhir.support.HeadlessChromium.start()) {
			var driver = chromium.driver();
			String page = server().anonymous().base().replace("/fhir", "/dashboard/index.html") + "?measure=sas-slots-offered";
			driver.get(page);
			var js = (org.openqa.selenium.JavascriptExecutor) driver;
			org.openqa.selenium.WebElement token = driver.findElement(org.openqa.selenium.By.id("token"));
			token.sendKeys(SecuredServer.TOKENS.token("810000000001", "REGULATEUR"));
			driver.findElement(org.openqa.selenium.By.id("show")).click();
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
					driver.findElement(org.openqa.selenium.By.id("error")).getText().contains("403"));
			assertThat((Boolean) js.executeScript("return window.dashboard.report === null && window.dashboard.values.length === 0")).isTrue();
			assertThat(driver.findElement(org.openqa.selenium.By.id("figures")).findElements(org.openqa.selenium.By.tagName("td"))).isEmpty();

			token.clear();
			token.sendKeys(SecuredServer.TOKENS.token("810000000002", "ANALYSTE"));
			driver.findElement(org.openqa.selenium.By.id("show")).click();
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
					Boolean.TRUE.equals(js.executeScript("return window.dashboard.report !== null && !window.dashboard.loading")));
			assertThat(driver.findElement(org.openqa.selenium.By.id("error")).getText()).isEmpty();
		}
	}

	/** The publishers' registry (Endpoint) is the administrators' alone: no other role reads or writes it. */
	@Test
	void onlyAdministratorsReadAndWriteThePublishersRegistry() {
		org.hl7.fhir.r4.model.Endpoint endpoint = new org.hl7.fhir.r4.model.Endpoint();
		String id = id("endpoint");
		endpoint.setId(id);
		endpoint.getMeta().addProfile("https://sas-fhir-server.example/fhir/StructureDefinition/sas-publisher-endpoint");
		endpoint.addExtension("https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-use-case",
				new org.hl7.fhir.r4.model.CodeType("individual"));
		endpoint.addExtension("https://sas-fhir-server.example/fhir/StructureDefinition/sas-endpoint-environment",
				new org.hl7.fhir.r4.model.CodeType("production"));
		endpoint.setStatus(org.hl7.fhir.r4.model.Endpoint.EndpointStatus.ACTIVE);
		endpoint.getConnectionType().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-connection-type").setCode("hl7-fhir-rest");
		endpoint.setName("Éditeur Alpha");
		endpoint.addPayloadType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-payload-type").setCode("any");
		endpoint.setAddress("https://editeur-alpha.example.fr/fhir");
		expect(publisherA().put("/Endpoint/" + id, endpoint), 403);
		expect(platform().put("/Endpoint/" + id, endpoint), 403);
		expect(admin().put("/Endpoint/" + id, endpoint), 201);
		for (FhirHttp caller : List.of(publisherA(), platform(), lrm(), regulator(), analyst())) {
			Response read = caller.get("/Endpoint/" + id);
			expect(read, 403);
			assertThat(read.outcome().getIssueFirstRep().getDetails().getCodingFirstRep().getCode()).isEqualTo("SAS-authorization");
			expect(caller.get("/Endpoint?_count=10"), 403);
			// the connected acceptance of an endpoint ($acceptance) is the administrators' too
			org.hl7.fhir.r4.model.Parameters acceptance = new org.hl7.fhir.r4.model.Parameters().addParameter("practitioner", "810000000001");
			expect(caller.post("/Endpoint/" + id + "/$acceptance", acceptance), 403);
			expect(caller.get("/Endpoint/" + id + "/$acceptance-result"), 403);
		}
		expect(admin().get("/Endpoint/" + id), 200);
		expect(admin().get("/Endpoint/" + id + "/$acceptance-result"), 200);
	}

	/** The monitoring's alerts (DetectedIssue) are the administrators' alone, like the registry they are about. */
	@Test
	void onlyAdministratorsReadTheMonitoringsAlerts() {
		for (FhirHttp caller : List.of(publisherA(), platform(), lrm(), regulator(), analyst())) {
			Response search = caller.get("/DetectedIssue?_count=10");
			expect(search, 403);
			assertThat(search.outcome().getIssueFirstRep().getDetails().getCodingFirstRep().getCode()).isEqualTo("SAS-authorization");
		}
		expect(admin().get("/DetectedIssue?_count=10"), 200);
	}

	/** Spring Security's observations are off by default (sas.security.observations): the request's metric stays. */
	@Test
	void theSecurityFiltersAreNotObservedButTheRequestIs() {
		expect(lrm().get("/Slot?schedule.actor:PractitionerRole=" + id("role-b") + "&status=free"), 200);
		expect(server().anonymous().get("/Slot?status=free"), 401);
		assertThat(server().meters.find("http.server.requests").timers()).isNotEmpty();
		assertThat(server().meters.getMeters()).extracting(m -> m.getId().getName())
				.noneMatch(name -> name.startsWith("spring.security."));
	}

	/** An LRM registered for its SAMU reads the appointments sent there, and their messages; not another SAMU's. */
	@Test
	void anLrmReadsTheAppointmentsOfItsSamuOnly() {
		OffsetDateTime tomorrow = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withHour(14).withMinute(0).withSecond(0).withNano(0);
		String rppsC = "81" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "0000000000").substring(0, 10);
		FhirHttp b = publisherB();
		expect(b.put("/Practitioner/" + id("pract-c"), practitioner(id("pract-c"), rppsC)), 201);
		org.hl7.fhir.r4.model.PractitionerRole nantes = practitionerRole(id("role-c"), id("pract-c"));
		((org.hl7.fhir.r4.model.Location) nantes.getContained().get(0)).getAddress().setCity("Nantes").setPostalCode("44000");
		expect(b.put("/PractitionerRole/" + id("role-c"), nantes), 201);
		String inRennes = book(appointment("x", UUID.randomUUID().toString(), rppsB, tomorrow));
		String inNantes = book(appointment("x", UUID.randomUUID().toString(), rppsC, tomorrow));

		expect(lrm().get("/Appointment/" + inRennes), 200);
		expect(lrm().get("/Appointment/" + inRennes + "/$lrm-messages"), 200);
		Response other = lrm().get("/Appointment/" + inNantes);
		expect(other, 403);
		assertThat(other.outcome().getIssueFirstRep().getSeverity()).isEqualTo(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.ERROR);
		expect(lrm().get("/Appointment/" + inNantes + "/$lrm-messages"), 403);
		expect(platform().get("/Appointment/" + inNantes + "/$lrm-messages"), 200); // the platform sees every SAMU's
		Response search = lrm().get("/Appointment?_id=" + inRennes);
		expect(search, 200);
		assertThat(search.bundle().getEntry()).hasSize(1);
		expect(lrm().get("/Appointment?_id=" + inRennes + "," + inNantes), 403);
	}

	/** Books as the platform for the regulator account; the Appointment's id. */
	private String book(org.hl7.fhir.r4.model.Appointment appointment) {
		appointment.setIdElement(null);
		appointment.getExtension().clear();
		appointment.addExtension("http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator",
				new org.hl7.fhir.r4.model.Reference().setIdentifier(identifier(FR_V2_0203, "INTRN", SAS_SYSTEM, accountId)));
		Response booked = platform().post("/Appointment", appointment);
		expect(booked, 201);
		return booked.resource().getIdElement().getIdPart();
	}

	/** A certificate revoked while the server runs: refused from the next connection, without a restart. */
	@Test
	void aCertificateRevokedWhileServingIsRefusedWithoutARestart() throws Exception {
		SecuredServer s = server();
		TestPki.Issued compromised = SecuredServer.PKI.valid(SecuredServer.PUBLISHER_A);
		expect(attempt(() -> s.over(SecuredServer.PKI, compromised).get("/Slot?_count=1")), 200);
		SecuredServer.revoke(compromised);
		org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
				attempt(() -> s.over(SecuredServer.PKI, compromised).get("/Slot?_count=1")).status() == NO_TLS);
		expect(publisherA().get("/Slot?_count=1"), 200); // the publisher's other certificate still works
	}

	private static String expunge() {
		return "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"expungeEverything\",\"valueBoolean\":true}]}";
	}

	private static StructureDefinition structureDefinition(String id) {
		StructureDefinition sd = new StructureDefinition();
		sd.setId(id);
		sd.setUrl("https://attacker.example/StructureDefinition/x");
		sd.setName("X");
		sd.setStatus(org.hl7.fhir.r4.model.Enumerations.PublicationStatus.ACTIVE);
		sd.setKind(StructureDefinition.StructureDefinitionKind.RESOURCE);
		sd.setAbstract(false);
		sd.setType("Slot");
		sd.setBaseDefinition("http://hl7.org/fhir/StructureDefinition/Slot");
		sd.setDerivation(StructureDefinition.TypeDerivationRule.CONSTRAINT);
		return sd;
	}

	private Bundle manySlots(int count, OffsetDateTime start) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < count; i++) {
			Slot slot = slot(id("many-" + i), id("sched-b"), start.plusMinutes(15L * i), 15);
			bundle.addEntry().setResource(slot).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Slot/" + id("many-" + i));
		}
		return bundle;
	}

	private static Bundle transaction(Slot put, String delete) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		if (put != null) {
			bundle.addEntry().setFullUrl("Slot/" + put.getIdElement().getIdPart()).setResource(put).getRequest()
					.setMethod(Bundle.HTTPVerb.PUT).setUrl("Slot/" + put.getIdElement().getIdPart());
		}
		if (delete != null) {
			bundle.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(delete);
		}
		return bundle;
	}
}
