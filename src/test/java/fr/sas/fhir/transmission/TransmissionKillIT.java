package fr.sas.fhir.transmission;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresTestDatabase;
import fr.sas.fhir.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * The server process killed (SIGKILL) after a booking committed and before its message could be published (the
 * broker cut off): started again, it sends that message, with the distributionID recorded before the kill. On
 * PostgreSQL, whose commit is durable; the packaged jar as operators run it.
 */
class TransmissionKillIT {

	@Test
	void aMessageCommittedBeforeACrashIsSentAfterTheRestartWithItsDistributionId() throws Exception {
		TransmissionSuite.requireBroker();
		String database = PostgresTestDatabase.url();
		TransmissionSuite suite = new TransmissionSuite("kill");
		LrmStandIn lrm = suite.lrm();
		Path directory = Files.createTempDirectory("sas-transmission-kill");
		int port = ServerProcess.freePort();
		String[] arguments = {"--spring.datasource.url=" + database, "--spring.datasource.username=" + PostgresTestDatabase.user(),
				"--sas.data-dir=" + directory.resolve("data"), "--sas.transmission.enabled=true",
				"--sas.transmission.sender=" + suite.sender(), "--sas.transmission.exchange=",
				"--sas.transmission.routing-key={recipient}.message", "--sas.transmission.declare-queues=true",
				"--sas.transmission.routes.35=" + suite.samu("35"), "--spring.rabbitmq.port=" + suite.proxy.port()};

		suite.proxy.cut();
		ServerProcess first = ServerProcess.start(directory, port, "first.log", arguments).awaitMetadata();
		String appointmentId;
		String distributionId;
		try {
			FhirHttp fhir = first.fhir();
			String rpps = "81" + String.valueOf(System.nanoTime()).substring(0, 10);
			Practitioner account = new Practitioner();
			account.getMeta().setSource(SAS_SYSTEM).addProfile(SD + "FrPractitionerRegul");
			account.addIdentifier(identifier(FR_V2_0203, "IDNPS", IDNPS_SYSTEM, "810000000001"));
			account.setActive(true);
			account.addName().setFamily("RICART").addGiven("Pauline");
			account.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("pauline.ricart@ghsas.example.fr");
			assertThat(fhir.put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|810000000001", account).status()).isIn(200, 201);
			assertThat(fhir.put("/Practitioner/p1", practitioner("p1", rpps)).status()).isIn(200, 201);
			assertThat(fhir.put("/PractitionerRole/r1", practitionerRole("r1", "p1")).status()).isIn(200, 201);
			assertThat(fhir.put("/Schedule/sc1", practitionerSchedule("sc1", "p1", "r1")).status()).isIn(200, 201);
			OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusHours(4).withNano(0);
			assertThat(fhir.put("/Slot/sl1", slot("sl1", "sc1", start, 20)).status()).isIn(200, 201);
			Appointment booking = appointment("x", UUID.randomUUID().toString(), rpps, start);
			booking.setIdElement(null);
			booking.addSlot(new Reference("Slot/sl1"));
			FhirHttp.Response booked = fhir.post("/Appointment", booking);
			assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
			appointmentId = booked.resource().getIdElement().getIdPart();
			List<Communication> messages = messages(fhir, appointmentId);
			assertThat(messages).extracting(Communication::getStatus).containsExactly(Communication.CommunicationStatus.PREPARATION);
			distributionId = messages.get(0).getIdentifierFirstRep().getValue();
		} finally {
			first.kill();
		}

		suite.proxy.restore();
		ServerProcess second = ServerProcess.start(directory, port, "second.log", arguments).awaitMetadata();
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> lrm.received.stream().anyMatch(r -> r.distributionId().equals(distributionId)));
			LrmStandIn.Received received = lrm.received.stream().filter(r -> r.distributionId().equals(distributionId)).findFirst().orElseThrow();
			assertThat(received.problems()).isEmpty();
			assertThat(received.appointment().path("method").asText()).isEqualTo("CreateAppointment");
			await().atMost(Duration.ofSeconds(30)).until(() -> messages(second.fhir(), appointmentId).get(0).getStatus()
					== Communication.CommunicationStatus.COMPLETED);
			assertThat(lrm.received.stream().filter(r -> r.distributionId().equals(distributionId))).hasSize(1);
		} finally {
			second.stop();
			lrm.close();
			suite.proxy.close();
		}
	}

	private static List<Communication> messages(FhirHttp fhir, String appointmentId) {
		FhirHttp.Response r = fhir.get("/Appointment/" + appointmentId + "/$lrm-messages");
		assertThat(r.status()).as(r.toString()).isEqualTo(200);
		return r.bundle().getEntry().stream().map(e -> (Communication) e.getResource()).toList();
	}
}
