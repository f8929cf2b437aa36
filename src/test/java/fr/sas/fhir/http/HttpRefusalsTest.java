package fr.sas.fhir.http;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import fr.sas.fhir.support.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP layer accepts and refuses before FHIR processing, sent as raw bytes: the characters a FHIR client
 * leaves raw are accepted; every refusal is a FHIR OperationOutcome in JSON, never the container's HTML page.
 */
class HttpRefusalsTest extends H2ServerTest {

	private RawHttp raw() {
		return new RawHttp(fhir().base());
	}

	private static void assertOperationOutcome(RawHttp.Response response, int status, String text) {
		assertThat(response.status()).as(response.toString()).isEqualTo(status);
		assertThat(response.contentType()).as(response.toString()).startsWith("application/fhir+json");
		OperationOutcome outcome = response.outcome();
		assertThat(outcome.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).as(response.toString()).contains(text);
	}

	private int slots() {
		return fhir().get("/Slot?_summary=count").bundle().getTotal();
	}

	@Test
	void theCharactersAFhirClientLeavesRawAreAccepted() {
		String rpps = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
		String id = "raw-" + UUID.randomUUID().toString().substring(0, 8);
		Practitioner card = practitioner(id, rpps);
		card.getNameFirstRep().setFamily("De La Tour");
		assertThat(fhir().put("/Practitioner/" + id, card).status()).isEqualTo(201);

		RawHttp.Response byIdentifier = raw().get("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps);
		assertThat(byIdentifier.status()).as(byIdentifier.toString()).isEqualTo(200);
		assertThat(byIdentifier.bundle().getTotal()).isEqualTo(1);
		// '+' is a space in a query.
		RawHttp.Response byName = raw().get("/Practitioner?family=De+La+Tour&identifier=" + IDNPS_SYSTEM + "|" + rpps);
		assertThat(byName.bundle().getTotal()).as(byName.toString()).isEqualTo(1);
		// [ ] { } raw: a FHIR answer (an id that matches nothing), not the container's refusal.
		RawHttp.Response brackets = raw().get("/Practitioner?_id=a[1]{2}");
		assertThat(brackets.status()).as(brackets.toString()).isEqualTo(200);
		assertThat(brackets.bundle().getTotal()).isZero();
	}

	@Test
	void aRequestLineTheContainerCannotParseIsAnsweredInFhir() {
		assertOperationOutcome(raw().get("/Slot?start=ge2024-06-12 10:00"), 400, "HTTP 400");
		assertOperationOutcome(raw().get("/Slot?start=\u0001"), 400, "Invalid character");
		assertOperationOutcome(raw().send("GE(T", "/metadata", null), 400, "HTTP 400");
	}

	@Test
	void aMalformedEscapeIsRefusedNamingTheParameter() {
		RawHttp.Response response = raw().get("/Slot?status=free&start=ge2024%ZZ06");
		assertOperationOutcome(response, 400, "malformed escape '%ZZ'");
		assertThat(response.outcome().getIssueFirstRep().getExpression()).extracting(e -> e.getValue()).containsExactly("start");
		assertOperationOutcome(raw().get("/Slot?start=%C3%28"), 400, "not UTF-8");
	}

	@Test
	void aBodyOverTheLimitIsRefusedAndNothingIsWritten() {
		int before = slots();
		Slot slot = slot("big-" + UUID.randomUUID(), "none", OffsetDateTime.now(ZoneOffset.UTC).plusHours(3), 20);
		slot.setComment("x".repeat(17 * 1024 * 1024));
		byte[] body = FhirHttp.CTX.newJsonParser().encodeResourceToString(slot).getBytes(StandardCharsets.UTF_8);

		assertOperationOutcome(raw().send("POST", "/Slot", body, "Content-Type: application/fhir+json"), 413,
				"sas.http.max-body-size");
		assertOperationOutcome(raw().sendChunked("POST", "/Slot", body, 1 << 20, "Content-Type: application/fhir+json"), 413,
				"sas.http.max-body-size");
		assertThat(slots()).isEqualTo(before);
	}

	@Test
	void aMethodNoOneServesIsAnsweredInFhir() {
		assertOperationOutcome(raw().send("TRACE", "/metadata", null), 405, "TRACE");
		assertOperationOutcome(raw().send("DELETE", "/metadata", null), 405, "GET");
		assertOperationOutcome(raw().send("BREW", "/metadata", null), 501, "BREW");
	}

	@Test
	void aPathNoOneServesIsAnsweredInFhir() {
		assertOperationOutcome(new RawHttp(fhir().base().replace("/fhir", "")).get("/nothing-here"), 404, "/nothing-here");
		assertOperationOutcome(raw().get("/Patient"), 404, "Patient");
	}
}
