package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;

/** INT_R03: appointments are identified by the publisher's identifier; create is idempotent, update conditional (H2 and PostgreSQL). */
public interface AppointmentFlowContract {

	fr.sas.fhir.support.FhirHttp fhir();

	OffsetDateTime AT = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withNano(0);
	String SYSTEM = "urn:oid:1.2.250.1.999.1";

	default Appointment appointment(String value) {
		Appointment a = fr.sas.fhir.support.SasTestData.appointment("ignored", value, "810100050075", AT);
		a.setIdElement(null);
		a.setCreatedElement(new org.hl7.fhir.r4.model.DateTimeType("2026-01-01T10:00:00+01:00"));
		return a;
	}

	default int count(String value) {
		return fhir().get("/Appointment?identifier=" + SYSTEM + "|" + value).bundle().getTotal();
	}

	static boolean names(OperationOutcome outcome, String rule, String text) {
		return outcome.getIssue().stream().anyMatch(i -> rule.equals(i.getDetails().getCodingFirstRep().getCode())
				&& i.getExpression().get(0).getValue().startsWith("Appointment")
				&& (text == null || i.getDiagnostics().contains(text)));
	}

	@Test
	default void aRetriedIdenticalPostReturnsTheStoredAppointment() {
		String value = UUID.randomUUID().toString();
		Response first = fhir().post("/Appointment", appointment(value));
		assertThat(first.status()).as(first.toString()).isEqualTo(201);
		assertThat(first.header("Location")).contains("/Appointment/");
		String id = first.resource().getIdElement().getIdPart();

		Response retry = fhir().post("/Appointment", appointment(value));
		assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
		assertThat(retry.resource().getIdElement().getIdPart()).isEqualTo(id);
		assertThat(count(value)).isEqualTo(1);
	}

	@Test
	default void aPostWithTheSameIdentifierAndOtherContentPointsToTheConditionalUpdate() {
		String value = UUID.randomUUID().toString();
		assertThat(fhir().post("/Appointment", appointment(value)).status()).isEqualTo(201);
		Appointment changed = appointment(value).setStatus(Appointment.AppointmentStatus.CANCELLED);
		Response conflict = fhir().post("/Appointment", changed);
		assertThat(conflict.status()).as(conflict.toString()).isEqualTo(409);
		assertThat(names(conflict.outcome(), "SAS-appointment-identifier", "PUT Appointment?identifier=")).isTrue();
		assertThat(count(value)).isEqualTo(1);
	}

	@Test
	default void theConditionalUpdateChangesTheAppointmentInPlaceOrCreatesIt() {
		String value = UUID.randomUUID().toString();
		Response created = fhir().post("/Appointment", appointment(value));
		String id = created.resource().getIdElement().getIdPart();

		Appointment cancelled = appointment(value).setStatus(Appointment.AppointmentStatus.CANCELLED);
		cancelled.setId("2"); // as Appointment-2 of the guide: the body id does not designate the appointment
		Response updated = fhir().put("/Appointment?identifier=" + SYSTEM + "|" + value, cancelled);
		assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
		assertThat(updated.resource().getIdElement().getIdPart()).isEqualTo(id);
		assertThat(((Appointment) fhir().get("/Appointment/" + id).resource()).getStatus())
				.isEqualTo(Appointment.AppointmentStatus.CANCELLED);
		assertThat(count(value)).isEqualTo(1);

		String unknown = UUID.randomUUID().toString();
		Response fresh = fhir().put("/Appointment?identifier=" + SYSTEM + "|" + unknown, appointment(unknown));
		assertThat(fresh.status()).as(fresh.toString()).isEqualTo(201);
		assertThat(count(unknown)).isEqualTo(1);
	}

	@Test
	default void theAppointmentPagesConditionalUpdateWorksAsPrinted() {
		// specifications_techniques-tous-gestion_rdv: PUT [base]/Appointment?Identifier=[ID], '|' sent raw.
		String value = UUID.randomUUID().toString();
		Response created = fhir().post("/Appointment", appointment(value));
		String id = created.resource().getIdElement().getIdPart();
		byte[] cancelled = FhirHttp.CTX.newJsonParser().encodeResourceToString(
				appointment(value).setStatus(Appointment.AppointmentStatus.CANCELLED)).getBytes(StandardCharsets.UTF_8);

		RawHttp.Response updated = new RawHttp(fhir().base()).send("PUT", "/Appointment?Identifier=" + SYSTEM + "|" + value,
				cancelled, "Content-Type: application/fhir+json", "Accept: application/json+fhir");
		assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
		assertThat(updated.resource().getIdElement().getIdPart()).isEqualTo(id);
		assertThat(updated.headers().get("x-fhir-request-validation")).contains("SAS-parameter-name", "send 'identifier'");
		assertThat(((Appointment) fhir().get("/Appointment/" + id).resource()).getStatus())
				.isEqualTo(Appointment.AppointmentStatus.CANCELLED);
		assertThat(count(value)).isEqualTo(1);
	}

	@Test
	default void aSecondAppointmentWithTheSameIdentifierIsRefusedWhateverItsId() {
		String value = UUID.randomUUID().toString();
		Appointment a = appointment(value);
		a.setId("a-" + value.substring(0, 8));
		assertThat(fhir().put("/Appointment/" + a.getIdPart(), a).status()).isEqualTo(201);
		Appointment b = appointment(value);
		b.setId("b-" + value.substring(0, 8));
		Response response = fhir().put("/Appointment/" + b.getIdPart(), b);
		assertThat(response.status()).as(response.toString()).isEqualTo(409);
		assertThat(names(response.outcome(), "SAS-appointment-identifier", a.getIdPart())).isTrue();
		assertThat(fhir().get("/Appointment/" + b.getIdPart()).status()).isEqualTo(404);
	}

	@Test
	default void concurrentIdenticalPostsStoreOneAppointment() throws Exception {
		String value = UUID.randomUUID().toString();
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Callable<Integer>> posts = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				posts.add(() -> fhir().post("/Appointment", appointment(value)).status());
			}
			List<Integer> statuses = new ArrayList<>();
			for (Future<Integer> f : pool.invokeAll(posts)) {
				statuses.add(f.get());
			}
			assertThat(statuses).allMatch(s -> s == 200 || s == 201);
			assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
		} finally {
			pool.shutdownNow();
		}
		assertThat(count(value)).isEqualTo(1);
	}

	@Test
	default void statusAndOperatorFollowTheGuide() {
		Response proposed = fhir().post("/Appointment", appointment(UUID.randomUUID().toString())
				.setStatus(Appointment.AppointmentStatus.PROPOSED));
		assertThat(proposed.status()).isEqualTo(422);
		assertThat(names(proposed.outcome(), "SAS-appointment-status", "proposed")).isTrue();

		Response pending = fhir().post("/Appointment", appointment(UUID.randomUUID().toString())
				.setStatus(Appointment.AppointmentStatus.PENDING));
		assertThat(pending.status()).as("pending is for SOS Médecins appointments only").isEqualTo(422);

		Appointment sos = appointment(UUID.randomUUID().toString()).setStatus(Appointment.AppointmentStatus.PENDING);
		sos.getMeta().getProfile().clear();
		sos.getMeta().addProfile(SD + "sas-sos-appointment");
		sos.getParticipantFirstRep().setStatus(Appointment.ParticipationStatus.NEEDSACTION);
		Response sosPending = fhir().post("/Appointment", sos);
		assertThat(sosPending.status()).as(sosPending.toString()).isEqualTo(201);

		Appointment foreign = appointment(UUID.randomUUID().toString());
		((org.hl7.fhir.r4.model.Reference) foreign.getExtension().get(0).getValue()).getIdentifier()
				.setSystem("urn:oid:1.2.3.4");
		Response operator = fhir().post("/Appointment", foreign);
		assertThat(operator.status()).as(operator.toString()).isEqualTo(422);
		assertThat(names(operator.outcome(), "SAS-appointment-operator", "urn:oid:1.2.3.4")).isTrue();
	}
}
