package fr.sas.fhir.transmission;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * INT_L02 against the machine's RabbitMQ, the server connected through a {@link TcpProxy}, the LRMs a
 * {@link LrmStandIn} that checks every message against the Hub's schemas: what is sent for each change, to whom,
 * what comes back, and that nothing is lost when the connection is cut (H2 and PostgreSQL).
 */
public interface TransmissionContract {

	ObjectMapper JSON = new ObjectMapper();
	OffsetDateTime START = OffsetDateTime.now(ZoneOffset.UTC).plusHours(6).withNano(0).withSecond(0);
	String OPERATOR = "810000000001";
	String APPOINTMENT_SYSTEM = "urn:oid:1.2.250.1.999.1";

	FhirHttp fhir();

	/** The suite's proxy, LRM stand-in and names (one per database, so two suites never read each other's queues). */
	TransmissionSuite suite();

	default LrmStandIn lrm() {
		return suite().lrm();
	}

	default TcpProxy proxy() {
		return suite().proxy;
	}

	/** The SAMU client id of a département in this suite's routes. */
	default String samu(String departement) {
		return suite().samu(departement);
	}

	default String rpps() {
		return "81" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "0000000000").substring(0, 10);
	}

	default void regulatorAccount(String system, String value, boolean withEmail) {
		Practitioner p = new Practitioner();
		p.getMeta().setSource(SAS_SYSTEM).addProfile(SD + "FrPractitionerRegul");
		p.addIdentifier(identifier(FR_V2_0203, system.equals(SAS_SYSTEM) ? "INTRN" : "IDNPS", system, value));
		p.setActive(true);
		p.addName().setFamily("RICART").addGiven("Pauline");
		if (withEmail) {
			p.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("pauline.ricart@ghsas.example.fr");
		}
		Response r = fhir().put("/Practitioner?identifier=" + system + "|" + value, p);
		assertThat(r.status()).as(r.toString()).isIn(200, 201);
	}

	/** A practitioner whose place is in {@code postalCode}, with one free slot {@code Slot/sl-<s>}; returns s. */
	default String agenda(String rpps, String postalCode) {
		regulatorAccount(IDNPS_SYSTEM, OPERATOR, true);
		String s = UUID.randomUUID().toString().substring(0, 8);
		put("/Practitioner/p-" + s, practitioner("p-" + s, rpps));
		PractitionerRole role = practitionerRole("r-" + s, "p-" + s);
		((org.hl7.fhir.r4.model.Location) role.getContained().get(0)).getAddress().setPostalCode(postalCode);
		role.addCode(concept(AppointmentMessageBuilder.TRE_G15, "10"));
		put("/PractitionerRole/r-" + s, role);
		put("/Schedule/sc-" + s, practitionerSchedule("sc-" + s, "p-" + s, "r-" + s));
		put("/Slot/sl-" + s, slot("sl-" + s, "sc-" + s, START, 20));
		return s;
	}

	default void put(String path, org.hl7.fhir.r4.model.Resource resource) {
		Response r = fhir().put(path, resource);
		assertThat(r.status()).as(path + " " + r).isIn(200, 201);
	}

	default Appointment booking(String slotId, String rpps, String value) {
		Appointment a = appointment("x", value, rpps, START);
		a.setIdElement(null);
		if (slotId != null) {
			a.addSlot(new Reference("Slot/" + slotId));
		}
		return a;
	}

	/** Books and returns the Appointment's id. */
	default String book(Appointment appointment) {
		Response r = fhir().post("/Appointment", appointment);
		assertThat(r.status()).as(r.toString()).isEqualTo(201);
		return r.resource().getIdElement().getIdPart();
	}

	default Response change(Appointment appointment) {
		Response r = fhir().put("/Appointment?identifier=" + APPOINTMENT_SYSTEM + "|"
				+ appointment.getIdentifierFirstRep().getValue(), appointment);
		assertThat(r.status()).as(r.toString()).isEqualTo(200);
		return r;
	}

	default List<Communication> messages(String appointmentId) {
		Response r = fhir().get("/Appointment/" + appointmentId + "/$lrm-messages");
		assertThat(r.status()).as(r.toString()).isEqualTo(200);
		return r.bundle().getEntry().stream().map(e -> (Communication) e.getResource()).toList();
	}

	/** The appointmentId the LRMs know the appointment by (an identifier of each of its messages). */
	default String uuid(String appointmentId) {
		return messages(appointmentId).get(0).getIdentifier().stream()
				.filter(i -> LrmMessagesProvider.APPOINTMENT_ID.equals(i.getSystem())).findFirst().orElseThrow().getValue();
	}

	default JsonNode payload(Communication c) {
		try {
			return JSON.readTree(c.getPayloadFirstRep().getContentStringType().getValue());
		} catch (java.io.IOException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Waits until the LRMs received {@code count} messages about the appointment; returns them. */
	default List<LrmStandIn.Received> received(String appointmentUuid, int count) {
		await().atMost(Duration.ofSeconds(30)).until(() -> lrm().about(appointmentUuid).size() >= count);
		List<LrmStandIn.Received> about = lrm().about(appointmentUuid);
		for (LrmStandIn.Received r : about) {
			assertThat(r.problems()).as("schema check of " + r.distributionId()).isEmpty();
		}
		return about;
	}

	default void awaitStatus(String appointmentId, int index, Communication.CommunicationStatus status) {
		await().atMost(Duration.ofSeconds(30)).until(() -> messages(appointmentId).size() > index
				&& messages(appointmentId).get(index).getStatus() == status);
	}

	@Test
	default void aBookingReachesItsSamuAsACreateAppointmentTheHubAccepts() {
		String rpps = rpps();
		String s = agenda(rpps, "35000");
		String id = book(booking("sl-" + s, rpps, UUID.randomUUID().toString()));
		String uuid = uuid(id);
		assertThat(uuid).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

		LrmStandIn.Received message = received(uuid, 1).get(0);
		assertThat(message.queue()).isEqualTo(samu("35") + ".message");
		JsonNode envelope = message.message();
		assertThat(envelope.path("distributionID").asText()).startsWith(envelope.path("senderID").asText() + "_");
		assertThat(envelope.path("distributionKind").asText()).isEqualTo("Report");
		assertThat(envelope.path("descriptor").path("explicitAddress").path("explicitAddressValue").asText()).isEqualTo(samu("35"));
		JsonNode appointment = message.appointment();
		assertThat(appointment.path("method").asText()).isEqualTo("CreateAppointment");
		assertThat(appointment.path("status").asText()).isEqualTo("booked");
		assertThat(appointment.path("orientationCategory").asText()).isEqualTo("PS");
		assertThat(appointment.path("start").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[+-]\\d{2}:\\d{2}");
		assertThat(OffsetDateTime.parse(appointment.path("start").asText()).toInstant()).isEqualTo(START.toInstant());
		JsonNode practitioner = appointment.path("practitioner");
		assertThat(practitioner.path("rppsId").asText()).isEqualTo(rpps);
		assertThat(practitioner.path("lastName").asText()).isEqualTo("Martin");
		assertThat(practitioner.path("firstName").asText()).isEqualTo("Claire");
		assertThat(practitioner.path("specialityCode").asText()).isEqualTo("SM54");
		assertThat(practitioner.path("professionCode").asText()).isEqualTo("10");
		JsonNode regulator = appointment.path("regulator");
		assertThat(regulator.path("regulatorId").asText()).isEqualTo(OPERATOR);
		assertThat(regulator.path("regulatorName").asText()).isEqualTo("RICART");
		assertThat(regulator.path("regulatorEmail").asText()).isEqualTo("pauline.ricart@ghsas.example.fr");
		assertThat(appointment.has("organization")).isFalse();

		awaitStatus(id, 0, Communication.CommunicationStatus.COMPLETED);
		// The LRM's acknowledgement may overtake the broker's confirmation, whose record then commits just after.
		await().atMost(Duration.ofSeconds(30)).until(() -> messages(id).get(0).getNote().size() >= 3);
		Communication c = messages(id).get(0);
		assertThat(c.getIdentifierFirstRep().getValue()).isEqualTo(message.distributionId());
		assertThat(c.getRecipientFirstRep().getIdentifier().getValue()).isEqualTo(samu("35"));
		// Both are recorded, in the order they came.
		List<String> history = c.getNote().stream().map(n -> n.getText().split(":")[0]).toList();
		assertThat(history).first().isEqualTo("pending");
		assertThat(history).containsExactlyInAnyOrder("pending", "sent", "acknowledged");
		assertThat(c.getSent()).as("the time the broker confirmed it").isNotNull();
	}

	@Test
	default void eachChangeTheLrmSeesSendsTheWholeStateAndNothingElseSendsAnything() {
		String rpps = rpps();
		String s = agenda(rpps, "35000");
		String value = UUID.randomUUID().toString();
		Appointment appointment = booking("sl-" + s, rpps, value);
		String id = book(appointment);
		String uuid = uuid(id);
		received(uuid, 1);

		appointment.setComment("a note the LRM does not see"); // nothing the LRM sees: nothing sent
		change(appointment);
		appointment.setEnd(Date.from(START.plusMinutes(30).toInstant())); // the time
		change(appointment);
		appointment.setStatus(Appointment.AppointmentStatus.FULFILLED);
		change(appointment);
		appointment.setStatus(Appointment.AppointmentStatus.NOSHOW);
		change(appointment);
		appointment.setStatus(Appointment.AppointmentStatus.CANCELLED);
		change(appointment);

		List<LrmStandIn.Received> all = received(uuid, 5);
		assertThat(all).hasSize(5);
		assertThat(all).extracting(r -> r.appointment().path("method").asText())
				.containsExactly("CreateAppointment", "UpdateAppointment", "UpdateAppointment", "UpdateAppointment", "UpdateAppointment");
		assertThat(all).extracting(r -> r.appointment().path("status").asText())
				.containsExactly("booked", "booked", "fulfilled", "noshow", "cancelled");
		assertThat(OffsetDateTime.parse(all.get(1).appointment().path("end").asText()).toInstant())
				.isEqualTo(START.plusMinutes(30).toInstant());
		// the whole state every time, the same appointmentId and created
		assertThat(all).allSatisfy(r -> {
			assertThat(r.appointment().path("practitioner").path("rppsId").asText()).isEqualTo(rpps);
			assertThat(r.appointment().path("created").asText()).isEqualTo(all.get(0).appointment().path("created").asText());
		});
		assertThat(all.stream().map(LrmStandIn.Received::distributionId).distinct()).hasSize(5);
		assertThat(messages(id)).hasSize(5);
	}

	@Test
	default void sosAndCptsAppointmentsNameTheirStructure() {
		regulatorAccount(IDNPS_SYSTEM, OPERATOR, true);
		String s = UUID.randomUUID().toString().substring(0, 8);
		String siret = "3" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000000").substring(0, 14);
		put("/Organization/so-" + s, sosOrganization("so-" + s, siret));
		put("/Location/sl-" + s, sosLocation("sl-" + s, "so-" + s));
		put("/Schedule/ss-" + s, sosSchedule("ss-" + s, "sl-" + s));
		put("/Slot/sos-" + s, sosSlot("sos-" + s, "ss-" + s, START, 20));
		Appointment sos = booking("sos-" + s, null, UUID.randomUUID().toString());
		sos.getMeta().getProfile().clear();
		sos.getMeta().addProfile(AppointmentMessageBuilder.SOS_APPOINTMENT);
		sos.getParticipant().clear();
		sos.addParticipant().setStatus(Appointment.ParticipationStatus.NEEDSACTION).addType(
				concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ADM"));
		sos.setStatus(Appointment.AppointmentStatus.PENDING);
		JsonNode sosMessage = received(uuid(book(sos)), 1).get(0).appointment();
		assertThat(sosMessage.path("orientationCategory").asText()).isEqualTo("SOS");
		assertThat(sosMessage.path("status").asText()).isEqualTo("pending");
		assertThat(sosMessage.path("organization").path("organizationId").asText()).isEqualTo(siret);
		assertThat(sosMessage.path("organization").path("name").asText()).isEqualTo("SOS Médecins Rennes");
		assertThat(sosMessage.has("practitioner")).isFalse();

		String rpps = rpps();
		String p = agenda(rpps, "35000");
		String finess = "1" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "000000000").substring(0, 9);
		put("/Organization/co-" + p, cptsOrganization("co-" + p, finess));
		put("/HealthcareService/cs-" + p, cptsService("cs-" + p, "co-" + p));
		put("/Slot/cpts-" + p, cptsSlot("cpts-" + p, "sc-" + p, "cs-" + p, START.plusHours(1), 20));
		JsonNode cptsMessage = received(uuid(book(booking("cpts-" + p, rpps, UUID.randomUUID().toString()))), 1).get(0).appointment();
		assertThat(cptsMessage.path("orientationCategory").asText()).isEqualTo("CPTS");
		assertThat(cptsMessage.path("organization").path("organizationId").asText()).isEqualTo(finess);
		assertThat(cptsMessage.path("practitioner").path("rppsId").asText()).isEqualTo(rpps);
	}

	@Test
	default void twoDepartementsGoToTwoSamuAndAnUnmappedOneIsAnErrorWithItsCause() {
		String rennes = rpps();
		String nantes = rpps();
		String paris = rpps();
		String a = book(booking("sl-" + agenda(rennes, "35000"), rennes, UUID.randomUUID().toString()));
		String b = book(booking("sl-" + agenda(nantes, "44000"), nantes, UUID.randomUUID().toString()));
		// no slot named: the practitioner's place decides
		agenda(paris, "75011");
		String c = book(booking(null, paris, UUID.randomUUID().toString()));

		assertThat(received(uuid(a), 1).get(0).queue()).isEqualTo(samu("35") + ".message");
		assertThat(received(uuid(b), 1).get(0).queue()).isEqualTo(samu("44") + ".message");
		Communication unrouted = messages(c).get(0);
		assertThat(unrouted.getStatus()).isEqualTo(Communication.CommunicationStatus.NOTDONE);
		assertThat(unrouted.getStatusReason().getCoding()).extracting(x -> x.getCode()).contains("error", "not-routed");
		assertThat(unrouted.getStatusReason().getText()).contains("75").contains("sas.transmission.routes");
		assertThat(unrouted.getPayload()).isEmpty();
		assertThat(lrm().about(uuid(c))).isEmpty();
	}

	@Test
	default void withoutARegulatorAccountNothingHalfBuiltIsSent() {
		String rpps = rpps();
		String s = agenda(rpps, "35000");
		String technical = UUID.randomUUID().toString();
		Appointment appointment = booking("sl-" + s, rpps, UUID.randomUUID().toString());
		appointment.getExtension().clear();
		appointment.addExtension(AppointmentMessageBuilder.OPERATOR,
				new Reference().setIdentifier(identifier(FR_V2_0203, "INTRN", SAS_SYSTEM, technical)));
		String id = book(appointment);
		Communication c = messages(id).get(0);
		assertThat(c.getStatus()).isEqualTo(Communication.CommunicationStatus.NOTDONE);
		assertThat(c.getStatusReason().getCoding()).extracting(x -> x.getCode()).contains("not-built");
		assertThat(c.getStatusReason().getText()).contains("no regulator account").contains(technical);

		// with the account (SAS technical id): sent, without regulatorId (never the technical UUID)
		regulatorAccount(SAS_SYSTEM, technical, true);
		appointment.setStatus(Appointment.AppointmentStatus.CANCELLED);
		change(appointment);
		JsonNode sent = received(uuid(id), 1).get(0).appointment();
		assertThat(sent.path("regulator").has("regulatorId")).isFalse();
		assertThat(sent.path("regulator").path("regulatorName").asText()).isEqualTo("RICART");
	}

	@Test
	default void anLrmErrorIsKeptWithItsCodeAndNotRetried() {
		String rpps = rpps();
		String s = agenda(rpps, "35000");
		Appointment appointment = booking("sl-" + s, rpps, UUID.randomUUID().toString());
		appointment.setStart(Date.from(START.plusMinutes(1).toInstant()));
		String id = book(appointment);
		String uuid = uuid(id);
		awaitStatus(id, 0, Communication.CommunicationStatus.COMPLETED);
		lrm().replyTo(uuid, LrmStandIn.Reply.error(409, "CONFLICT"));
		appointment.setStatus(Appointment.AppointmentStatus.CANCELLED);
		change(appointment);
		awaitStatus(id, 1, Communication.CommunicationStatus.NOTDONE);
		Communication refused = messages(id).get(1);
		assertThat(refused.getStatusReason().getCoding()).extracting(x -> x.getCode()).contains("409");
		assertThat(refused.getStatusReason().getText()).contains("CONFLICT");
		assertThat(received(uuid, 2)).hasSize(2); // not sent again
	}

	@Test
	default void theOperationIsDeclaredByItsDefinitionAndAnUnknownAppointmentIs404() {
		org.hl7.fhir.r4.model.CapabilityStatement statement =
				(org.hl7.fhir.r4.model.CapabilityStatement) fhir().get("/metadata").resource();
		assertThat(statement.getRestFirstRep().getResource()).filteredOn(r -> r.getType().equals("Appointment"))
				.flatExtracting(r -> r.getOperation()).filteredOn(o -> o.getName().equals("lrm-messages"))
				.extracting(o -> o.getDefinition())
				.containsExactly("https://sas-fhir-server.example/fhir/OperationDefinition/Appointment-lrm-messages");
		Response unknown = fhir().get("/Appointment/" + UUID.randomUUID() + "/$lrm-messages");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.outcome().getIssueFirstRep().getSeverity())
				.isEqualTo(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.ERROR);
	}

	/** Past its dateTimeExpires before the broker is back: marked expired (stopped), never sent. */
	@Test
	default void aMessageThatExpiresBeforeItCanBeSentIsMarkedExpiredNotSent() {
		String rpps = rpps();
		String s = agenda(rpps, "35000");
		proxy().cut();
		String id;
		try {
			id = book(booking("sl-" + s, rpps, UUID.randomUUID().toString()));
			assertThat(messages(id).get(0).getStatus()).isEqualTo(Communication.CommunicationStatus.PREPARATION);
			fr.sas.fhir.support.TestClock.shift(Duration.ofHours(25)); // sas.transmission.expires-after is 24 h
			proxy().restore();
			awaitStatus(id, 0, Communication.CommunicationStatus.STOPPED);
		} finally {
			fr.sas.fhir.support.TestClock.reset();
			proxy().restore();
		}
		Communication expired = messages(id).get(0);
		assertThat(expired.getStatusReason().getCoding()).extracting(c -> c.getCode()).contains("expired");
		assertThat(expired.getStatusReason().getText()).contains("dateTimeExpires");
		assertThat(lrm().about(uuid(id))).isEmpty();
	}

	/**
	 * The connection cut during a burst of 500 bookings (and cancellations of some): once it is back, every
	 * message arrives, none lost, each distributionID once, and the messages of each appointment in order.
	 */
	@Test
	default void aBurstWhileTheBrokerIsUnreachableIsDeliveredInOrderOnceItIsBack() throws Exception {
		regulatorAccount(IDNPS_SYSTEM, OPERATOR, true);
		int bookings = 500;
		String rpps = rpps();
		String s = agenda(rpps, "44000");
		proxy().cut();
		List<Appointment> booked = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<String>> sent = new ArrayList<>();
			for (int i = 0; i < bookings; i++) {
				Appointment a = booking(null, rpps, UUID.randomUUID().toString());
				a.setStart(Date.from(START.plusMinutes(i).toInstant()));
				booked.add(a);
				sent.add(pool.submit(() -> book(a)));
			}
			for (Future<String> f : sent) {
				ids.add(f.get());
			}
			List<Future<Response>> cancels = new ArrayList<>();
			for (int i = 0; i < bookings; i += 10) {
				Appointment a = booked.get(i).setStatus(Appointment.AppointmentStatus.CANCELLED);
				cancels.add(pool.submit(() -> change(a)));
			}
			for (Future<Response> f : cancels) {
				f.get();
			}
		} finally {
			pool.shutdown();
		}
		assertThat(messages(ids.get(0))).extracting(Communication::getStatus)
				.containsOnly(Communication.CommunicationStatus.PREPARATION);
		proxy().restore();

		Map<String, String> uuids = new HashMap<>();
		for (String id : ids) {
			uuids.put(id, uuid(id));
		}
		int expected = bookings + bookings / 10;
		await().atMost(Duration.ofSeconds(120)).until(() -> uuids.values().stream().mapToInt(u -> lrm().about(u).size()).sum() >= expected);
		Set<String> distributionIds = new HashSet<>();
		int delivered = 0;
		for (int i = 0; i < bookings; i++) {
			List<LrmStandIn.Received> about = lrm().about(uuids.get(ids.get(i)));
			delivered += about.size();
			about.forEach(r -> distributionIds.add(r.distributionId()));
			assertThat(about.stream().map(LrmStandIn.Received::distributionId).distinct().count()).isEqualTo(i % 10 == 0 ? 2 : 1);
			assertThat(about.get(0).appointment().path("method").asText()).isEqualTo("CreateAppointment");
			if (i % 10 == 0) {
				assertThat(about.get(about.size() - 1).appointment().path("status").asText()).isEqualTo("cancelled");
			}
			assertThat(about).allSatisfy(r -> assertThat(r.problems()).isEmpty());
		}
		assertThat(distributionIds).hasSize(expected);
		assertThat(delivered).as("each distributionID delivered once").isEqualTo(expected);
	}
}
