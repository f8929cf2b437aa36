package fr.sas.fhir.acceptance;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.UseCase;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import fr.sas.fhir.support.PublisherStandIn;
import fr.sas.fhir.support.PublisherStandIn.Answer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The connected acceptance against this server in its publisher role (its own base URL, data of the guide's three
 * shapes) and against stand-ins that forward to it with one defect each: each defect is reported by the check that
 * names it and by no other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class H2AcceptanceTest extends H2ServerTest {

	private static final Path DATA_DIR = dataDir("sas-acceptance-test");
	static final fr.sas.fhir.support.TestPki PKI = new fr.sas.fhir.support.TestPki("Acceptance test CA");
	static final fr.sas.fhir.support.TestPki.Issued SERVER = PKI.issue("CN=localhost,O=Tests",
			java.time.Instant.now().minus(Duration.ofHours(1)), java.time.Instant.now().plus(Duration.ofDays(400)));
	static final Path EXPIRED = expiredKeyStore();

	@DynamicPropertySource
	static void acceptance(DynamicPropertyRegistry registry) {
		Path keys;
		Path trust;
		try {
			keys = PKI.keyStore(DATA_DIR, "client.p12", PKI.valid("CN=plateforme-sas,O=Tests"));
			trust = PKI.trustStore(DATA_DIR, "trust.p12");
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
		registry.add("sas.data-dir", DATA_DIR::toString);
		registry.add("sas.publishers.key-store", keys::toString);
		registry.add("sas.publishers.key-store-password", () -> new String(fr.sas.fhir.support.TestPki.PASSWORD));
		registry.add("sas.publishers.trust-store", trust::toString);
		registry.add("sas.publishers.trust-store-password", () -> new String(fr.sas.fhir.support.TestPki.PASSWORD));
		registry.add("sas.acceptance.enabled", () -> "true");
		registry.add("sas.acceptance.series", () -> "3");
		// an expired certificate of the test authority for transport.mutual-tls-expired; no revoked one: that probe is not run
		registry.add("sas.acceptance.expired-certificate", () -> EXPIRED.toString());
		registry.add("sas.acceptance.expired-certificate-password", () -> new String(fr.sas.fhir.support.TestPki.PASSWORD));
	}

	static final FhirContext CTX = FhirContext.forR4Cached();
	final String s = UUID.randomUUID().toString().substring(0, 6);
	final OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).plusHours(2);
	final String rpps1 = "8" + digits(11);
	final String rpps2 = "8" + digits(11);
	final String finess = "1" + digits(9);
	final String siret = "3" + digits(14);

	@Autowired
	AcceptanceEngine engine;

	@BeforeAll
	void agendas() {
		List<Resource> graph = new ArrayList<>(List.of(
				practitioner("p1-" + s, rpps1), practitionerRole("r1-" + s, "p1-" + s), practitionerSchedule("sc1-" + s, "p1-" + s, "r1-" + s),
				practitioner("p2-" + s, rpps2), practitionerRole("r2-" + s, "p2-" + s), practitionerSchedule("sc2-" + s, "p2-" + s, "r2-" + s),
				cptsOrganization("o-" + s, finess), cptsService("hs-" + s, "o-" + s),
				sosOrganization("so-" + s, siret), sosLocation("l-" + s, "so-" + s), sosSchedule("ss-" + s, "l-" + s)));
		graph.add(slot("a1-" + s, "sc1-" + s, t0.plusHours(1), 30));
		graph.add(slot("a2-" + s, "sc1-" + s, t0.plusHours(26), 30));
		graph.add(cptsSlot("c1-" + s, "sc1-" + s, "hs-" + s, t0.plusHours(3), 30));
		graph.add(slot("b1-" + s, "sc2-" + s, t0.plusHours(2), 20));
		graph.add(sosSlot("d1-" + s, "ss-" + s, t0.plusHours(1), 30));
		graph.add(sosSlot("d2-" + s, "ss-" + s, t0.plusHours(4), 30));
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		graph.forEach(r -> transaction.addEntry().setResource(r).getRequest().setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(r.fhirType() + "/" + r.getIdElement().getIdPart()));
		FhirHttp.Response written = fhir().post("", transaction);
		assertThat(written.status()).as(written.toString()).isEqualTo(200);
	}

	// ---------------------------------------------------------------- this server in its publisher role

	@Test
	void thisServerPassesEveryCheckOrSkipsItWithAReason() {
		AcceptanceReport report = engine.run(endpoint(fhir().base()), withAccounts(data("individual", "cpts", "sos")));

		List<CheckResult> notPassed = report.results().stream()
				.filter(r -> r.verdict() != Verdict.PASS && r.verdict() != Verdict.SKIPPED)
				// a busy test machine may be slower than the kit's 1 s: a warning, never a failure
				.filter(r -> !r.check().equals(Checks.TIME_KIT))
				.toList();
		assertThat(notPassed).as(describe(report)).isEmpty();
		assertThat(report.results()).filteredOn(r -> r.verdict() == Verdict.SKIPPED).allSatisfy(r -> assertThat(r.summary()).isNotBlank());
		assertThat(report.accepted()).isTrue();
		// what must have been looked at, not skipped
		assertThat(verdicts(report)).containsEntry("search.individual.entry-profile", Verdict.PASS)
				.containsEntry("search.cpts.cpts-window", Verdict.PASS).containsEntry("search.cpts.cpts-service", Verdict.PASS)
				.containsEntry("search.sos.references", Verdict.PASS).containsEntry("faq.sos-references", Verdict.PASS)
				.containsEntry("faq.prefixed-identifiers", Verdict.PASS).containsEntry("faq.phone-format", Verdict.PASS)
				.containsEntry("faq.cpts-service-type", Verdict.PASS).containsEntry("capability.searches", Verdict.PASS)
				.containsEntry("search.individual.multiple", Verdict.PASS).containsEntry("search.sos.empty", Verdict.PASS)
				.containsEntry("search.individual.raw-bar", Verdict.PASS).containsEntry("search.cpts.raw-bar", Verdict.PASS)
				.containsEntry("search.sos.raw-bar", Verdict.PASS);
		// the guide's raw '|' on the request line (Tomcat's relaxed-query-chars): the same answer as with %7C
		assertThat(result(report, "search.individual.raw-bar").summary()).contains("the 25 '|' raw", "as with %7C: 200");
		assertThat(result(report, "search.sos.raw-bar").summary()).contains("the 10 '|' raw");
		// INT_R02 against this server's own rules (409 on a second creation, a conditional update of nobody a creation,
		// re-attribution of a deactivated account's national identifier)
		assertThat(report.results()).filteredOn(r -> r.check().id().startsWith("accounts.")).extracting(r -> r.check().id() + " " + r.verdict())
				.containsExactly("accounts.create PASS", "accounts.duplicate PASS", "accounts.update PASS",
						"accounts.conditional-create PASS", "accounts.deactivate PASS", "accounts.reattribution PASS");
		assertThat(result(report, "accounts.duplicate").summary()).isEqualTo("refused: 409");
		assertThat(result(report, "accounts.conditional-create").summary()).isEqualTo("created: 201");
		// capability, 3 searches per use case and one with its bars raw, the series, 6 account writes and the last
		// account deactivated
		assertThat(report.requests()).isEqualTo(1 + 3 * 4 + 3 + 6 + 1);
		assertThat(report.timings()).containsKeys("p50", "p95", "max");
	}

	@Test
	void aUseCaseNotClaimedIsSkippedWithItsReason() {
		AcceptanceReport report = engine.run(endpoint(fhir().base()), data("individual"));

		assertThat(report.results()).filteredOn(r -> r.check().id().startsWith("search.sos."))
				.allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.SKIPPED))
				.allSatisfy(r -> assertThat(r.summary()).contains("not claimed"));
		assertThat(verdicts(report)).containsEntry("faq.cpts-service-type", Verdict.SKIPPED);
		assertThat(report.results()).filteredOn(r -> r.check().id().startsWith("accounts.")).hasSize(6)
				.allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.SKIPPED))
				.allSatisfy(r -> assertThat(r.summary()).contains("not opted in", "\"regulatorAccounts\": true"));
	}

	// ---------------------------------------------------------------- one defect each

	@Test
	void anUnprefixedRppsIsReportedByThePrefixCheckOnly() {
		String unprefixed = rpps1.substring(1);
		try (RawBarFront standIn = forwarding(body -> body.replace("\"" + rpps1 + "\"", "\"" + unprefixed + "\""), null)) {
			assertOnlyFailing(engine.run(endpoint(standIn.base()), data("individual")), "faq.prefixed-identifiers");
		}
	}

	@Test
	void slotsOutsideTheWindowAreReportedByTheWindowCheckOnly() {
		try (RawBarFront standIn = forwarding(null, bundle -> slots(bundle).forEach(slot -> shift(slot, Duration.ofDays(6))))) {
			assertOnlyFailing(engine.run(endpoint(standIn.base()), data("individual")), "search.individual.window");
		}
	}

	@Test
	void aCptsSlotAt72HoursIsReportedByTheCptsWindowCheckOnly() {
		try (RawBarFront standIn = forwarding(null, bundle -> slots(bundle).filter(AcceptanceEngine::cptsSlot)
				.forEach(slot -> shift(slot, Duration.ofHours(72).minus(Duration.between(t0.toInstant(), slot.getStart().toInstant())))))) {
			assertOnlyFailing(engine.run(endpoint(standIn.base()), data("cpts")), "search.cpts.cpts-window");
		}
	}

	@Test
	void anInvalidBundleIsReportedByTheBundleProfileCheckOnly() {
		try (RawBarFront standIn = forwarding(null, bundle -> bundle.addLink().setRelation("next"))) {
			AcceptanceReport report = engine.run(endpoint(standIn.base()), data("individual"));
			assertOnlyFailing(report, "search.individual.bundle-profile");
			assertThat(result(report, "search.individual.bundle-profile").summary()).contains("Bundle.link");
		}
	}

	@Test
	void aPhoneNotInPlus33FormIsReportedByThePhoneCheckOnly() {
		try (RawBarFront standIn = forwarding(body -> body.replace("+33299000000", "02 99 00 00 00"), null)) {
			assertOnlyFailing(engine.run(endpoint(standIn.base()), data("individual")), "faq.phone-format");
		}
	}

	@Test
	void aSlowAnswerIsReportedByTheAnswerTimeCheckOnly() {
		try (RawBarFront standIn = forwarding(null, null)) {
			PublisherStandIn.Behaviour forward = forwardingBehaviour(standIn.base(), null, null);
			standIn.behave(target -> {
				Answer answer = forward.answer(target);
				return target.contains("metadata") ? answer : answer.after(Duration.ofMillis(1100));
			});
			AcceptanceReport report = engine.run(endpoint(standIn.base()), data("individual"));
			assertOnlyFailing(report, "time.under-1s");
			assertThat(result(report, "time.under-1s").verdict()).isEqualTo(Verdict.WARNING);
			assertThat(report.accepted()).as("the kit's 1 s is not blocking").isTrue();
		}
	}

	@Test
	void aServerRefusingTheGuidesRawBarIsReportedByTheRawBarChecksOnly() {
		// Tomcat's default: 400 to a raw '|' on the request line, 200 to %7C
		try (RawBarFront standIn = forwarding(null, null, RawBarFront.Bar.REFUSED)) {
			AcceptanceReport report = engine.run(endpoint(standIn.base()), data("individual", "cpts", "sos"));

			assertThat(report.results()).as(describe(report)).filteredOn(r -> r.verdict() == Verdict.FAIL || r.verdict() == Verdict.WARNING)
					.extracting(r -> r.check().id())
					.containsExactly("search.individual.raw-bar", "search.cpts.raw-bar", "search.sos.raw-bar");
			CheckResult individual = result(report, "search.individual.raw-bar");
			assertThat(individual.summary()).startsWith("answered 400 to the search with its '|' raw").contains("200 with %7C");
			assertThat(individual.request()).startsWith("GET " + standIn.base() + "/Slot?_include=Slot:schedule")
					.contains("schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|" + rpps1 + ",urn:oid:1.2.250.1.71.4.2.1|")
					.doesNotContain("%7C").contains("25 raw '|'");
			assertThat(individual.answer()).contains("400", "Invalid character found in the request target");
			assertThat(individual.expected()).contains("200, a searchset Bundle of", "entries, total");
			assertThat(result(report, "search.sos.raw-bar").request()).startsWith("GET " + standIn.base() + "/Schedule?")
					.contains("actor:Location.organization.identifier=urn:oid:1.2.250.1.71.4.2.2|" + siret);
			// the same searches with %7C were served, and no raw '|' got past the front
			assertThat(verdicts(report)).containsEntry("search.individual.answer", Verdict.PASS).containsEntry("search.sos.answer", Verdict.PASS);
			assertThat(standIn.requests()).isNotEmpty().noneMatch(r -> r.contains("|"));
			assertThat(report.accepted()).isFalse();
		}
	}

	@Test
	void aRegulatorAccountStoredTwiceIsReportedByTheDuplicateCheckOnly() {
		try (RawBarFront standIn = forwarding(null, null)) {
			standIn.behave(storingTwice(standIn.base(), forwardingBehaviour(standIn.base(), null, null)));
			AcceptanceReport report = engine.run(endpoint(standIn.base()), withAccounts(data("individual")));

			assertOnlyFailing(report, "accounts.duplicate");
			CheckResult duplicate = result(report, "accounts.duplicate");
			assertThat(duplicate.summary()).contains("accepted (201)", "stored twice");
			assertThat(duplicate.request()).isEqualTo("POST " + standIn.base() + "/Practitioner");
			assertThat(duplicate.answer()).contains("201", "Location: " + standIn.base() + "/Practitioner/twice-");
			assertThat(duplicate.expected()).contains("4xx");
			// the guide's conditional updates, the identifier's bar percent-encoded (the JDK's client sends no raw '|')
			assertThat(standIn.requests()).contains("/fhir/Practitioner")
					.anyMatch(r -> r.startsWith("/fhir/Practitioner?identifier=urn:oid:1.2.250.1.213.3.6%7C"))
					.anyMatch(r -> r.startsWith("/fhir/Practitioner?identifier=urn:oid:1.2.250.1.71.4.2.1%7C89998"));
		}
	}

	@Test
	void anUpdateAnsweredAsASecondAccountIsReportedByTheUpdateCheckOnly() {
		try (RawBarFront standIn = forwarding(null, null)) {
			PublisherStandIn.Behaviour forward = forwardingBehaviour(standIn.base(), null, null);
			java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
			// the first conditional update (the account's national identifier) creates a new account: 201
			standIn.behave(behaviour(forward, request -> {
				Answer answer = forward.answer(request);
				return request.method().equals("PUT") && first.getAndSet(false)
						? new Answer(201, answer.contentType(), answer.body(), Duration.ZERO, false, answer.location())
						: answer;
			}));
			AcceptanceReport report = engine.run(endpoint(standIn.base()), withAccounts(data("individual")));

			assertOnlyFailing(report, "accounts.update");
			assertThat(result(report, "accounts.update").summary()).contains("201", "new account");
			assertThat(result(report, "accounts.update").request())
					.startsWith("PUT " + standIn.base() + "/Practitioner?identifier=urn:oid:1.2.250.1.213.3.6%7C");
		}
	}

	@Test
	void aRefusedCreationFailsItsCheckAndSkipsTheStepsThatNeedTheAccount() {
		try (RawBarFront standIn = forwarding(null, null)) {
			PublisherStandIn.Behaviour forward = forwardingBehaviour(standIn.base(), null, null);
			standIn.behave(behaviour(forward,
					request -> request.method().equals("POST") ? Answer.status(422) : forward.answer(request)));
			AcceptanceReport report = engine.run(endpoint(standIn.base()), withAccounts(data("individual")));

			assertOnlyFailing(report, "accounts.create");
			assertThat(result(report, "accounts.create").answer()).contains("422", "OperationOutcome");
			assertThat(verdicts(report)).containsEntry("accounts.duplicate", Verdict.SKIPPED).containsEntry("accounts.update", Verdict.SKIPPED)
					.containsEntry("accounts.conditional-create", Verdict.PASS).containsEntry("accounts.deactivate", Verdict.SKIPPED)
					.containsEntry("accounts.reattribution", Verdict.SKIPPED);
			assertThat(result(report, "accounts.duplicate").summary()).contains("accounts.create");
			assertThat(result(report, "accounts.reattribution").summary()).contains("accounts.deactivate");
			assertThat(report.accepted()).isFalse();
		}
	}

	@Test
	void anEndpointThatDoesNotAnswerFailsTheBlockingChecks() {
		try (PublisherStandIn standIn = PublisherStandIn.http(target -> Answer.status(503))) {
			AcceptanceReport report = engine.run(endpoint(standIn.base()), data("individual"));
			assertThat(report.accepted()).isFalse();
			assertThat(verdicts(report)).containsEntry("capability.statement", Verdict.FAIL)
					.containsEntry("search.individual.answer", Verdict.FAIL).containsEntry("search.individual.empty", Verdict.FAIL);
			CheckResult answer = result(report, "search.individual.answer");
			assertThat(answer.request()).startsWith("GET " + standIn.base() + "/Slot?_include=Slot:schedule");
			assertThat(answer.answer()).contains("503");
			assertThat(answer.expected()).contains("searchset");
		}
	}

	@Test
	void anEndpointThatDoesNotAskForTheClientCertificateIsReportedByTheMutualTlsChecksOnly() throws Exception {
		// TLS ends at the front (the stand-in's certificate and client-certificate requirement), which takes the raw '|'
		try (RawBarFront mutual = RawBarFront.tls(PublisherStandIn.http(target -> Answer.status(503)), serverContext(), true);
				RawBarFront laxStandIn = RawBarFront.tls(PublisherStandIn.http(target -> Answer.status(503)), serverContext(), false)) {
			mutual.behave(forwardingBehaviour(mutual.base(), null, null));
			laxStandIn.behave(forwardingBehaviour(laxStandIn.base(), null, null));

			AcceptanceReport checked = engine.run(endpoint(mutual.base(), "key"), data("individual"));
			assertThat(checked.results()).as(describe(checked)).filteredOn(r -> r.check().id().startsWith("transport."))
					.extracting(r -> r.check().id() + " " + r.verdict())
					.containsExactly("transport.https PASS", "transport.certificate PASS", "transport.mutual-tls PASS",
							"transport.mutual-tls-unknown PASS", "transport.mutual-tls-expired PASS", "transport.mutual-tls-revoked SKIPPED",
							"transport.tls-version PASS");
			assertThat(checked.results()).filteredOn(r -> r.verdict() == Verdict.FAIL).isEmpty();
			assertThat(result(checked, "transport.mutual-tls-revoked").summary()).startsWith("not run: no revoked certificate");
			assertThat(result(checked, "transport.tls-version").summary()).contains("SSL 3.0: refused", "TLS 1.0: refused", "TLS 1.1: refused");
			// the metadata call, the searches (one with its bars raw, over TLS too), the series, then 3 client-certificate
			// probes and 3 TLS-version probes (SSL 3.0, TLS 1.0, 1.1)
			assertThat(result(checked, "search.individual.raw-bar").verdict()).isEqualTo(Verdict.PASS);
			assertThat(checked.requests()).isEqualTo(1 + 4 + 3 + 3 + 3);

			AcceptanceReport lax = engine.run(endpoint(laxStandIn.base(), "key"), data("individual"));
			assertThat(lax.results()).as(describe(lax)).filteredOn(r -> r.verdict() == Verdict.FAIL || r.verdict() == Verdict.WARNING)
					.extracting(r -> r.check().id())
					.containsExactly("transport.mutual-tls", "transport.mutual-tls-unknown", "transport.mutual-tls-expired");
			assertThat(result(lax, "transport.mutual-tls").request()).endsWith("/metadata presenting a client without certificate");
		}
	}

	static Path expiredKeyStore() {
		try {
			return PKI.keyStore(DATA_DIR, "expired.p12", PKI.issue("CN=expired,O=Tests",
					java.time.Instant.now().minus(Duration.ofDays(10)), java.time.Instant.now().minus(Duration.ofDays(1))));
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static javax.net.ssl.SSLContext serverContext() throws Exception {
		java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
		keys.load(null, null);
		keys.setKeyEntry("server", SERVER.key(), fr.sas.fhir.support.TestPki.PASSWORD, SERVER.chain());
		javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
		kmf.init(keys, fr.sas.fhir.support.TestPki.PASSWORD);
		java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry("ca", PKI.certificate);
		javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
		tmf.init(trust);
		javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
		context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
		return context;
	}

	// ---------------------------------------------------------------- the $acceptance operation

	@Test
	void theOperationRunsAsynchronouslyAndKeepsTheResultPerEndpoint() throws Exception {
		String id = "acc-" + s;
		Endpoint endpoint = new Endpoint();
		endpoint.setId(id);
		endpoint.getMeta().addProfile(PublisherEndpoint.PROFILE);
		for (String useCase : List.of("individual", "sos")) {
			endpoint.addExtension(PublisherEndpoint.USE_CASE, new org.hl7.fhir.r4.model.CodeType(useCase));
		}
		endpoint.addExtension(PublisherEndpoint.ENVIRONMENT, new org.hl7.fhir.r4.model.CodeType("recette"));
		endpoint.setStatus(Endpoint.EndpointStatus.ACTIVE);
		endpoint.getConnectionType().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-connection-type").setCode("hl7-fhir-rest");
		endpoint.setName("Éditeur en recette");
		endpoint.addPayloadType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/endpoint-payload-type").setCode("any");
		endpoint.setAddress(fhir().base());
		FhirHttp.Response put = fhir().put("/Endpoint/" + id, endpoint);
		assertThat(put.status()).as(put.toString()).isIn(200, 201);

		org.hl7.fhir.r4.model.Parameters parameters = new org.hl7.fhir.r4.model.Parameters();
		parameters.addParameter("practitioner", rpps1).addParameter("practitioner", rpps2).addParameter("association", siret);
		parameters.addParameter("regulator-accounts", true);
		FhirHttp.Response started = fhir().post("/Endpoint/" + id + "/$acceptance", parameters);

		assertThat(started.status()).as(started.toString()).isEqualTo(202);
		String status = started.header("Content-Location");
		assertThat(status).startsWith(fhir().base() + "/Endpoint/" + id + "/$acceptance-result?run=");
		FhirHttp client = new FhirHttp(fhir().base(), "application/json");
		FhirHttp.Response done = org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
				.until(() -> client.get(status.substring(fhir().base().length())), r -> r.status() != 202);
		assertThat(done.status()).as(done.toString()).isEqualTo(200);
		com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(done.body());
		assertThat(report.path("accepted").asBoolean()).as(done.body()).isTrue();
		assertThat(report.path("useCases").toString()).isEqualTo("[\"individual\",\"sos\"]");
		assertThat(report.path("requests").asInt()).isGreaterThan(5);
		List<String> accounts = new ArrayList<>();
		report.path("checks").forEach(check -> {
			if (check.path("id").asText().startsWith("accounts.")) {
				accounts.add(check.path("id").asText() + " " + check.path("verdict").asText());
			}
		});
		assertThat(accounts).as("regulator-accounts opted in").hasSize(6).allSatisfy(a -> assertThat(a).endsWith(" pass"));

		FhirHttp.Response list = client.get("/Endpoint/" + id + "/$acceptance-result");
		assertThat(list.status()).isEqualTo(200);
		com.fasterxml.jackson.databind.JsonNode runs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.body());
		assertThat(runs).hasSize(1);
		assertThat(runs.get(0).path("state").asText()).isEqualTo("done");
		assertThat(runs.get(0).path("accepted").asBoolean()).isTrue();
		assertThat(runs.get(0).path("url").asText()).isEqualTo(status);
		FhirHttp.Response html = client.get(status.substring(fhir().base().length()) + "&format=html");
		assertThat(html.header("Content-Type")).startsWith("text/html");
		assertThat(html.body()).contains("Acceptée");

		// the same run as a FHIR R4 TestReport: one test per group of checks, one assert per check
		FhirHttp.Response asTestReport = client.get(status.substring(fhir().base().length()) + "&format=testreport");
		assertThat(asTestReport.status()).as(asTestReport.toString()).isEqualTo(200);
		assertThat(asTestReport.header("Content-Type")).startsWith("application/fhir+json");
		org.hl7.fhir.r4.model.TestReport testReport = CTX.newJsonParser().parseResource(org.hl7.fhir.r4.model.TestReport.class,
				asTestReport.body());
		assertThat(testReport.getStatus()).isEqualTo(org.hl7.fhir.r4.model.TestReport.TestReportStatus.COMPLETED);
		assertThat(testReport.getResult()).isEqualTo(org.hl7.fhir.r4.model.TestReport.TestReportResult.PASS);
		assertThat(testReport.getIdentifier().getValue()).isEqualTo(status.substring(status.indexOf("run=") + 4));
		assertThat(testReport.hasIssued()).isTrue();
		assertThat(testReport.getParticipantFirstRep().getDisplay()).isEqualTo("Endpoint/" + id);
		assertThat(testReport.getTest()).extracting(org.hl7.fhir.r4.model.TestReport.TestReportTestComponent::getName)
				.contains("capability", "search.individual", "search.sos", "faq", "time", "transport", "accounts");
		List<org.hl7.fhir.r4.model.TestReport.SetupActionAssertComponent> asserts = testReport.getTest().stream()
				.flatMap(t -> t.getAction().stream()).map(org.hl7.fhir.r4.model.TestReport.TestActionComponent::getAssert).toList();
		assertThat(asserts).hasSize(report.path("checks").size());
		assertThat(asserts).filteredOn(a -> a.getMessage().startsWith("`accounts.")).hasSize(6)
				.allSatisfy(a -> assertThat(a.getResult().toCode()).isEqualTo("pass"));
		assertThat(asserts).filteredOn(a -> a.getMessage().startsWith("`transport.https`")).singleElement()
				.satisfies(a -> assertThat(a.getResult().toCode()).isEqualTo("skip"));

		assertThat(fhir().post("/Endpoint/unknown-" + s + "/$acceptance", parameters).status()).isEqualTo(404);
		FhirHttp.Response noData = fhir().post("/Endpoint/" + id + "/$acceptance", new org.hl7.fhir.r4.model.Parameters());
		assertThat(noData.status()).isEqualTo(400);
		assertThat(noData.body()).contains("need test practitioners");
		assertThat(client.get("/Endpoint/" + id + "/$acceptance-result?run=nope").status()).isEqualTo(404);
	}

	// ---------------------------------------------------------------- the command line

	@Test
	void theCommandsExitCodeIsZeroOnlyWhenEveryBlockingCheckPasses(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
		java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
		java.io.PrintStream out = new java.io.PrintStream(text, true, StandardCharsets.UTF_8);

		assertThat(AcceptanceCommand.execute(engine, endpoint(fhir().base()), data("individual", "sos"), directory.resolve("ok"), out))
				.isZero();
		assertThat(text.toString(StandardCharsets.UTF_8)).contains("ACCEPTED");
		assertThat(directory.resolve("ok").resolve(AcceptanceReports.JSON)).exists();
		assertThat(directory.resolve("ok").resolve(AcceptanceReports.JUNIT)).exists();
		assertThat(directory.resolve("ok").resolve(AcceptanceReports.HTML)).exists();
		try (PublisherStandIn standIn = PublisherStandIn.http(target -> Answer.status(503))) {
			assertThat(AcceptanceCommand.execute(engine, endpoint(standIn.base()), data("individual"), directory.resolve("ko"), out))
					.isEqualTo(1);
		}
		assertThat(text.toString(StandardCharsets.UTF_8)).contains("REFUSED", "FAIL search.individual.answer");
	}

	@Test
	void theCommandRefusesABadCommandLineWithExitCode2(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
		java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
		java.io.PrintStream errors = new java.io.PrintStream(err, true, StandardCharsets.UTF_8);
		Path data = Files.writeString(directory.resolve("data.json"), "{\"practitioners\": [], \"useCases\": [\"individual\"]}");

		assertThat(AcceptanceCommand.run(new String[] {"--endpoint", "https://x.example/fhir"}, System.out, errors)).isEqualTo(2);
		assertThat(AcceptanceCommand.run(new String[] {"--endpoint", "https://x.example/fhir", "--test-data", data.toString(),
				"--report", directory.toString()}, System.out, errors)).isEqualTo(2);
		assertThat(AcceptanceCommand.run(new String[] {"--endpoint", "ftp://x", "--test-data", data.toString(), "--report", "r",
				"--bogus", "1"}, System.out, errors)).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("--endpoint, --test-data and --report are required",
				"need test practitioners", "unknown option --bogus", "usage:");
		assertThat(TestData.parse("{\"practitioners\": [\"810000000001\"], \"useCases\": [\"individual\"], \"regulatorAccounts\": true}")
				.regulatorAccounts()).isTrue();
		assertThat(TestData.parse("{\"practitioners\": [\"810000000001\"], \"useCases\": [\"individual\"]}").regulatorAccounts())
				.as("writes are opt-in").isFalse();
		AcceptanceCommand.Options options = AcceptanceCommand.parse(new String[] {"--endpoint=https://e.example/fhir/", "--test-data",
				"d.json", "--report", "out", "--header", "X-Key: 1", "--sas.acceptance.series=5"});
		assertThat(options.endpoint()).hasToString("https://e.example/fhir");
		assertThat(options.headers()).containsExactly("X-Key: 1");
		assertThat(options.settings()).containsEntry("sas.acceptance.series", "5");
	}

	// ---------------------------------------------------------------- helpers

	static void assertOnlyFailing(AcceptanceReport report, String checkId) {
		List<String> reported = report.results().stream().filter(r -> r.verdict() == Verdict.FAIL || r.verdict() == Verdict.WARNING)
				.map(r -> r.check().id()).toList();
		assertThat(reported).as(describe(report)).containsExactly(checkId);
		CheckResult result = result(report, checkId);
		assertThat(result.summary()).isNotBlank();
		assertThat(result.expected()).isNotBlank();
	}

	static CheckResult result(AcceptanceReport report, String id) {
		return report.results().stream().filter(r -> r.check().id().equals(id)).findFirst().orElseThrow();
	}

	static Map<String, Verdict> verdicts(AcceptanceReport report) {
		return report.results().stream().collect(Collectors.toMap(r -> r.check().id(), CheckResult::verdict, (a, b) -> a,
				java.util.LinkedHashMap::new));
	}

	static String describe(AcceptanceReport report) {
		return report.results().stream().filter(r -> r.verdict() != Verdict.PASS)
				.map(r -> r.check().id() + " " + r.verdict() + ": " + r.summary() + (r.request() == null ? "" : " [" + r.request() + "]"))
				.collect(Collectors.joining("\n"));
	}

	TestData data(String... useCases) {
		return new TestData(List.of(rpps1, rpps2), List.of(siret), List.of(finess), List.of(useCases));
	}

	static TestData withAccounts(TestData data) {
		return new TestData(data.practitioners(), data.associations(), data.cpts(), data.useCases(), true);
	}

	static PublisherEndpoint endpoint(String base) {
		return endpoint(base, null);
	}

	static PublisherEndpoint endpoint(String base, String certificateAlias) {
		return new PublisherEndpoint("acceptance-" + UUID.randomUUID(), "1", "test", URI.create(base),
				EnumSet.allOf(UseCase.class), Endpoint.EndpointStatus.ACTIVE, "recette", Duration.ofSeconds(10), certificateAlias,
				"tests", null, null, List.of());
	}

	/**
	 * A stand-in answering with this server's answers (its own base in them), the text or the Bundle altered, behind a
	 * front taking the guide's raw '|' (as this server does).
	 */
	RawBarFront forwarding(java.util.function.UnaryOperator<String> text, Consumer<Bundle> bundle) {
		return forwarding(text, bundle, RawBarFront.Bar.ACCEPTED);
	}

	RawBarFront forwarding(java.util.function.UnaryOperator<String> text, Consumer<Bundle> bundle, RawBarFront.Bar bar) {
		RawBarFront front = RawBarFront.plain(PublisherStandIn.http(target -> Answer.status(503)), bar);
		front.behave(forwardingBehaviour(front.base(), text, bundle));
		return front;
	}

	PublisherStandIn.Behaviour forwardingBehaviour(String ownBase, java.util.function.UnaryOperator<String> text,
			Consumer<Bundle> alter) {
		PublisherStandIn.Behaviour reads = readsForwarding(ownBase, text, alter);
		HttpClient client = HttpClient.newHttpClient();
		String server = fhir().base();
		// a write goes to this server as sent; its answer comes back with the stand-in's base in Location
		return behaviour(reads, request -> {
			if (request.method().equals("GET")) {
				return reads.answer(request.target());
			}
			HttpRequest.Builder write = HttpRequest.newBuilder(URI.create(server + request.target().substring("/fhir".length())))
					.header("Accept", "application/fhir+json")
					.method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
			if (request.contentType() != null) {
				write.header("Content-Type", request.contentType());
			}
			HttpResponse<byte[]> answer = client.send(write.build(), HttpResponse.BodyHandlers.ofByteArray());
			String location = answer.headers().firstValue("Location").map(l -> l.replace(server + "/", ownBase + "/")).orElse(null);
			return new Answer(answer.statusCode(), answer.headers().firstValue("Content-Type").orElse("application/fhir+json"),
					answer.body(), Duration.ZERO, false, location);
		});
	}

	/**
	 * The defect "a regulator account stored twice": a second POST of an account this server refuses (409) is answered
	 * 201, as a publisher that stored it again would.
	 */
	static PublisherStandIn.Behaviour storingTwice(String ownBase, PublisherStandIn.Behaviour forward) {
		java.util.concurrent.atomic.AtomicInteger twice = new java.util.concurrent.atomic.AtomicInteger();
		return behaviour(forward, request -> {
			Answer answer = forward.answer(request);
			if (request.method().equals("POST") && request.target().equals("/fhir/Practitioner") && answer.status() == 409) {
				return new Answer(201, "application/fhir+json", request.body(), Duration.ZERO, false,
						ownBase + "/Practitioner/twice-" + twice.incrementAndGet());
			}
			return answer;
		});
	}

	/** What a stand-in answers to a whole request (its method and body count, not only its path and query). */
	interface WholeRequests {
		Answer answer(PublisherStandIn.Request request) throws Exception;
	}

	/** Answers a read by its path and query as {@code reads} does, a whole request with {@code requests}. */
	static PublisherStandIn.Behaviour behaviour(PublisherStandIn.Behaviour reads, WholeRequests requests) {
		return new PublisherStandIn.Behaviour() {
			@Override
			public Answer answer(String target) throws Exception {
				return reads.answer(target);
			}

			@Override
			public Answer answer(PublisherStandIn.Request request) throws Exception {
				return requests.answer(request);
			}
		};
	}

	private PublisherStandIn.Behaviour readsForwarding(String ownBase, java.util.function.UnaryOperator<String> text,
			Consumer<Bundle> alter) {
		HttpClient client = HttpClient.newHttpClient();
		String server = fhir().base();
		return target -> {
			HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(server + target.substring("/fhir".length())))
					.header("Accept", "application/fhir+json").build(), HttpResponse.BodyHandlers.ofString());
			String body = answer.body().replace(server + "/", ownBase + "/");
			if (alter != null && body.contains("\"searchset\"")) {
				Bundle bundle = CTX.newJsonParser().parseResource(Bundle.class, body);
				alter.accept(bundle);
				body = CTX.newJsonParser().encodeResourceToString(bundle);
			}
			if (text != null) {
				body = text.apply(body);
			}
			return new Answer(answer.statusCode(), "application/fhir+json;charset=UTF-8", body.getBytes(StandardCharsets.UTF_8),
					Duration.ZERO, false);
		};
	}

	static java.util.stream.Stream<Slot> slots(Bundle bundle) {
		return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(Slot.class::isInstance).map(Slot.class::cast);
	}

	static void shift(Slot slot, Duration by) {
		slot.setStart(Date.from(slot.getStart().toInstant().plus(by)));
		slot.setEnd(Date.from(slot.getEnd().toInstant().plus(by)));
	}

	static String digits(int n) {
		StringBuilder b = new StringBuilder();
		for (int i = 0; i < n; i++) {
			b.append(ThreadLocalRandom.current().nextInt(10));
		}
		return b.toString();
	}

	static Path dataDir(String name) {
		try {
			return Files.createTempDirectory(name);
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}
}
