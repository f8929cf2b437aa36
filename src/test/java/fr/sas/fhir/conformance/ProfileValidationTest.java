package fr.sas.fhir.conformance;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.H2ServerTest;
import fr.sas.fhir.support.SharedIg;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.*;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Validation on every write against the project's SAS profiles: the guide's examples pass, each broken
 * constraint is refused with 422 and an OperationOutcome naming the element, and nothing is stored.
 */
class ProfileValidationTest extends H2ServerTest {

	private static final OffsetDateTime SOON = OffsetDateTime.now(ZoneOffset.UTC).plusHours(3).withNano(0);
	/** A stored CPTS service, so that CPTS slot cases break only their own constraint (the CPTS rules hold). */
	static final String NEG_SERVICE = "neg-hs";

	@TestFactory
	Stream<DynamicTest> everyOfficialExampleValidatesWithZeroErrors() {
		return SharedIg.exampleFiles().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
			Resource example = SharedIg.read(file);
			Response response = fhir().post("/" + example.fhirType() + "/$validate", example);
			assertThat(response.status()).as(response.toString()).isEqualTo(200);
			assertThat(errors(response.outcome())).as(file.getFileName().toString()).isEmpty();
		}));
	}

	@Test
	void aFreeTextSpecialtyIsAcceptedAsTheGuidesTextSays() {
		Slot slot = slot("spe-" + UUID.randomUUID(), "none", SOON, 20);
		slot.getSpecialty().clear();
		slot.addSpecialty().setText("Médecine du sport");
		Response response = fhir().post("/Slot/$validate", slot);
		assertThat(errors(response.outcome())).isEmpty();
	}

	record Case(String name, Supplier<Resource> valid, Consumer<Resource> breakIt, String element) {}

	static List<Case> cases() {
		return List.of(
				new Case("FINESS not starting with 1", () -> cptsOrganization("o", "1123456789"),
						r -> ((Organization) r).getIdentifierFirstRep().setValue("2123456789"), "Organization.identifier"),
				new Case("FINESS of 8 digits", () -> cptsOrganization("o", "1123456789"),
						r -> ((Organization) r).getIdentifierFirstRep().setValue("112345678"), "Organization.identifier"),
				new Case("two identifiers on a CPTS", () -> cptsOrganization("o", "1123456789"),
						r -> ((Organization) r).addIdentifier(((Organization) r).getIdentifierFirstRep().copy()), "Organization.identifier"),
				new Case("CPTS identifier system not IDNST's", () -> cptsOrganization("o", "1123456789"),
						r -> ((Organization) r).getIdentifierFirstRep().setSystem("urn:oid:1.2.3"), "Organization.identifier"),
				new Case("SIRET not starting with 3", () -> sosOrganization("o", "31234567890123" + "4"),
						r -> ((Organization) r).getIdentifierFirstRep().setValue("412345678901234"), "Organization.identifier"),
				new Case("SIRET of 13 digits", () -> sosOrganization("o", "312345678901234"),
						r -> ((Organization) r).getIdentifierFirstRep().setValue("3123456789012"), "Organization.identifier"),
				new Case("SOS identifier type INTRN instead of IDNST", () -> sosOrganization("o", "312345678901234"),
						r -> ((Organization) r).getIdentifierFirstRep().getType().getCodingFirstRep().setCode("INTRN"), "Organization.identifier"),
				new Case("slot status busy", () -> slot("s", "x", SOON, 20),
						r -> ((Slot) r).setStatus(Slot.SlotStatus.BUSY), "Slot.status"),
				new Case("meta.security code outside TRE_R314", () -> slot("s", "x", SOON, 20),
						r -> r.getMeta().getSecurityFirstRep().setCode("VIP"), "Slot.meta.security"),
				new Case("CPTS visibility on an SOS slot", () -> sosSlot("s", "x", SOON, 20),
						r -> r.getMeta().addSecurity(TYPE_CRENEAU, "CPTS", null), "Slot.meta.security"),
				new Case("SOS consultation type outside AMB/HH/VR", () -> sosSlot("s", "x", SOON, 20),
						r -> ((Slot) r).getServiceTypeFirstRep().getCodingFirstRep().setCode("EMER"), "Slot.serviceType"),
				new Case("appointmentType outside ROUTINE/WALKIN", () -> cptsSlot("s", "x", NEG_SERVICE, SOON, 20),
						r -> ((Slot) r).getAppointmentType().getCodingFirstRep().setCode("CHECKUP"), "Slot.appointmentType"),
				new Case("CPTS serviceType without the R5 reference", () -> cptsSlot("s", "x", NEG_SERVICE, SOON, 20),
						r -> ((Slot) r).getServiceType().get(1).getExtension().clear(), "Slot.serviceType"),
				new Case("slot without any profile", () -> slot("s", "x", SOON, 20),
						r -> r.getMeta().getProfile().clear(), "Slot.meta.profile"),
				new Case("slot claiming an unknown profile", () -> slot("s", "x", SOON, 20),
						r -> r.getMeta().getProfile().get(0).setValue("http://example.org/StructureDefinition/MySlot"), "Slot.meta.profile"),
				new Case("practitioner without identifier", () -> practitioner("p", "810000000001"),
						r -> ((Practitioner) r).getIdentifier().clear(), "Practitioner.identifier"),
				new Case("practitioner identifier outside the RPPS/ADELI system", () -> practitioner("p", "810000000001"),
						r -> ((Practitioner) r).getIdentifierFirstRep().setSystem("urn:oid:1.2.250.1.71.4.2.2"), "Practitioner.identifier"),
				new Case("regulator without active", ProfileValidationTest::regulator,
						r -> ((Practitioner) r).setActiveElement(null), "Practitioner.active"),
				new Case("regulator whose meta.source is not the SAS", ProfileValidationTest::regulator,
						r -> r.getMeta().setSource("urn:oid:1.2.3"), "Practitioner.meta.source"),
				new Case("regulator with two given names", ProfileValidationTest::regulator,
						r -> ((Practitioner) r).getNameFirstRep().addGiven("Marie"), "Practitioner.name"),
				new Case("regulator telecom that is not an email", ProfileValidationTest::regulator,
						r -> ((Practitioner) r).getTelecomFirstRep().setSystem(ContactPoint.ContactPointSystem.PHONE), "Practitioner.telecom"),
				new Case("role without contained Location", () -> practitionerRole("r", "p"),
						r -> ((PractitionerRole) r).getContained().clear(), "PractitionerRole"),
				new Case("SOS location without managing organization", () -> sosLocation("l", "o"),
						r -> ((Location) r).setManagingOrganization(null), "Location.managingOrganization"),
				new Case("SOS location identified by a practitioner identifier type", () -> sosLocation("l", "o"),
						r -> ((Location) r).getIdentifierFirstRep().getType().getCodingFirstRep().setCode("IDNPS"),
						"Location.identifier"),
				new Case("SOS location without name", () -> sosLocation("l", "o"),
						r -> ((Location) r).setName(null), "Location.name"),
				new Case("SOS location without address", () -> sosLocation("l", "o"),
						r -> ((Location) r).setAddress(null), "Location.address"),
				new Case("appointment without identifier", () -> appointment("a", "x", "810000000001", SOON),
						r -> ((Appointment) r).getIdentifier().clear(), "Appointment.identifier"),
				new Case("appointment participant identifier of the wrong system", () -> appointment("a", "x", "810000000001", SOON),
						r -> ((Appointment) r).getParticipantFirstRep().getActor().getIdentifier().setSystem("urn:oid:1.2.250.1.71.4.2.2"),
						"Appointment.participant"),
				new Case("appointment without the operator who booked", () -> appointment("a", "x", "810000000001", SOON),
						r -> ((Appointment) r).getExtension().clear(), "Appointment.extension"),
				new Case("appointment participant status outside SAS's", () -> appointment("a", "x", "810000000001", SOON),
						r -> ((Appointment) r).getParticipantFirstRep().setStatus(Appointment.ParticipationStatus.DECLINED),
						"Appointment.participant"),
				new Case("CPTS service without providedBy", () -> cptsService("h", "o"),
						r -> ((HealthcareService) r).setProvidedBy(null), "HealthcareService.providedBy"),
				new Case("schedule with a serviceType", () -> practitionerSchedule("sc", "p", "r"),
						r -> ((Schedule) r).addServiceType(concept(ACT_CODE, "AMB")), "Schedule.serviceType"),
				new Case("SOS schedule actor without reference", () -> sosSchedule("sc", "l"),
						r -> ((Schedule) r).getActorFirstRep().setReference(null).setDisplay("Centre"), "Schedule.actor"));
	}

	@TestFactory
	Stream<DynamicTest> eachBrokenConstraintIsRefusedWith422NamingTheElementAndNothingIsStored() {
 		assertThat(fhir().put("/Organization/neg-orgcpts", cptsOrganization("neg-orgcpts", "1123456789")).status())
				.isIn(200, 201);
		assertThat(fhir().put("/HealthcareService/" + NEG_SERVICE, cptsService(NEG_SERVICE, "neg-orgcpts")).status())
				.isIn(200, 201);
		return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
			Resource resource = c.valid().get();
			String id = "neg-" + UUID.randomUUID().toString().substring(0, 8);
			resource.setId(id);
			assertThat(errors(fhir().post("/" + resource.fhirType() + "/$validate", resource).outcome()))
					.as("the unbroken resource is valid").isEmpty();

			c.breakIt().accept(resource);
			Response response = fhir().put("/" + resource.fhirType() + "/" + id, resource);
			assertThat(response.status()).as(response.toString()).isEqualTo(422);
			List<OperationOutcome.OperationOutcomeIssueComponent> errors = errors(response.outcome());
			assertThat(errors).as(response.toString()).isNotEmpty();
			assertThat(errors).as("an error names " + c.element() + ": " + response)
					.anyMatch(issue -> names(issue, c.element()));
			assertThat(fhir().get("/" + resource.fhirType() + "/" + id).status()).isEqualTo(404);
		}));
	}

	@Test
	void aSearchBundleIsCheckedAgainstTheBundleProfileItNames() {
		String cpts = SD + "sas-cpts-bundle-aggregator";
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		bundle.addLink().setRelation("self").setUrl("http://example.org/fhir/Slot?status=free");
		Response response = fhir().post("/Bundle/$validate?profile=" + cpts, bundle);
		assertThat(response.status()).isEqualTo(200);
		List<OperationOutcome.OperationOutcomeIssueComponent> errors = errors(response.outcome());
		assertThat(errors).as("no total").anyMatch(i -> names(i, "Bundle.total"));
		assertThat(errors).as("fewer than 4 entries").anyMatch(i -> names(i, "Bundle.entry"));
	}

	@Test
	void aTransactionWithOneInvalidEntryStoresNothing() {
		String s = UUID.randomUUID().toString().substring(0, 8);
		Organization good = cptsOrganization("good-" + s, "1123456789");
		Organization bad = cptsOrganization("bad-" + s, "9123456789");
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Organization o : List.of(good, bad)) {
			tx.addEntry().setResource(o).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Organization/" + o.getIdPart());
		}
		Response response = fhir().post("/", tx);
		assertThat(response.status()).as(response.toString()).isEqualTo(422);
		assertThat(errors(response.outcome())).anyMatch(i -> names(i, "Organization.identifier"));
		assertThat(fhir().get("/Organization/good-" + s).status()).isEqualTo(404);
		assertThat(fhir().get("/Organization/bad-" + s).status()).isEqualTo(404);
	}

	@Test
	void warningsDoNotBlockAWrite() {
		// IDNST from FR Core is not in R4's extensible identifier-type value set: a warning, not an error.
		Organization org = cptsOrganization("warn-" + UUID.randomUUID().toString().substring(0, 8), "1123456789");
		Response validation = fhir().post("/Organization/$validate", org);
		assertThat(validation.outcome().getIssue())
				.anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.WARNING);
		Response created = fhir().put("/Organization/" + org.getIdPart(), org, "Prefer", "return=OperationOutcome");
		assertThat(created.status()).isEqualTo(201);
		assertThat(created.outcome().getIssue()).as("warnings come back in the OperationOutcome")
				.anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.WARNING
						&& names(i, "Organization.identifier"));
		assertThat(created.header("X-FHIR-Request-Validation")).contains("warning");
	}

	static Practitioner regulator() {
		Practitioner p = new Practitioner();
		p.getMeta().setSource(SAS_SYSTEM).addProfile(SD + "FrPractitionerRegul");
		p.addIdentifier(identifier(FR_V2_0203, "INTRN", SAS_SYSTEM, UUID.randomUUID().toString()));
		p.setActive(true);
		p.addName().setFamily("Durand").addGiven("Paul");
		p.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("paul.durand@example.fr");
		return p;
	}

	static List<OperationOutcome.OperationOutcomeIssueComponent> errors(OperationOutcome outcome) {
		return outcome.getIssue().stream()
				.filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
						|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
				.toList();
	}

	/** The issue names the element: in its expression (indices aside), or in its message for cardinality errors. */
	static boolean names(OperationOutcome.OperationOutcomeIssueComponent issue, String element) {
		boolean inExpression = issue.getExpression().stream()
				.map(e -> e.getValue().replaceAll("\\[\\d+]", ""))
				.anyMatch(e -> e.startsWith(element));
		return inExpression || issue.getDiagnostics().contains(element);
	}
}
