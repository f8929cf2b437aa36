package fr.sas.fhir.api;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.SharedIg;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;

/**
 * The REST behaviour of the foundation, run once on the embedded default (H2) and once on PostgreSQL.
 * Every test works on its own ids, so the suite shares one server and one database.
 */
public interface FhirApiContract {

	FhirHttp fhir();

	FhirHttp root();

	OffsetDateTime FUTURE = OffsetDateTime.now(ZoneOffset.UTC).plusHours(2).withNano(0);

	static String unique() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	default void metadataDeclaresTheSixServerCapabilityStatementsOfTheGuide() {
		Response response = fhir().get("/metadata");
		assertThat(response.status()).isEqualTo(200);
		CapabilityStatement statement = response.as(CapabilityStatement.class);
		assertThat(statement.getName()).isEqualTo("SASFhirServer");
		assertThat(statement.getSoftware().getVersion()).isNotBlank();
		assertThat(statement.getInstantiates()).extracting(CanonicalType::getValue).containsExactlyInAnyOrder(
				"https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-PsIndiv",
				"https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-CPTS",
				"https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-SOS",
				"https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-RDVpsindiv",
				"https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-RDVSOS",
				"https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireStructure");
		List<String> types = statement.getRestFirstRep().getResource().stream()
				.map(CapabilityStatement.CapabilityStatementRestResourceComponent::getType)
				.toList();
		assertThat(types).contains("Slot", "Schedule", "Practitioner", "PractitionerRole", "Location",
				"Organization", "HealthcareService", "Appointment", "StructureDefinition", "ValueSet",
				"CodeSystem", "SearchParameter", "CapabilityStatement");
		assertThat(types).doesNotContain("Patient", "Observation");
		// Bundles are not stored: the only Bundle interaction is $validate, for publishers' search answers.
		statement.getRestFirstRep().getResource().stream().filter(r -> r.getType().equals("Bundle")).forEach(bundle -> {
			assertThat(bundle.getInteraction()).isEmpty();
			assertThat(bundle.getOperation()).extracting(o -> o.getName()).containsExactly("validate");
		});
	}

	@Test
	default void anUnservedTypeAnswers404WithAnOperationOutcome() {
		for (Response response : List.of(
				fhir().get("/Patient"),
				fhir().get("/Observation/1"),
				fhir().post("/Patient", new Patient().setActive(true)))) {
			assertThat(response.status()).as(response.toString()).isEqualTo(404);
			OperationOutcome outcome = response.outcome();
			assertThat(outcome.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("Unknown resource type");
		}
	}

	@Test
	default void aTransactionWithAnUnservedTypeIsRefusedAndStoresNothing() {
		String id = "p-" + unique();
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		tx.addEntry().setResource(practitioner(id, "810000000042"))
				.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Practitioner/" + id);
		tx.addEntry().setResource(new Patient().setActive(true))
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");

		Response response = fhir().post("/", tx);
		assertThat(response.status()).as(response.toString()).isEqualTo(400);
		assertThat(response.outcome().getIssueFirstRep().getDiagnostics())
				.contains("Bundle.entry[1]", "Patient", "not served");
		assertThat(fhir().get("/Practitioner/" + id).status()).isEqualTo(404);
	}

	@Test
	default void eachServedTypeRoundTripsThroughCreateReadUpdateSearchAndDelete() {
		String s = unique();
		storeGraph(s);
		List<Resource> fresh = List.of(
				practitioner("x", "8100000" + digits(s, 5)),
				practitionerRole("x", "prat-" + s),
				practitionerSchedule("x", "prat-" + s, "role-" + s),
				slot("x", "sched-" + s, FUTURE, 20),
				cptsOrganization("x", "1" + digits(s, 9)),
				cptsService("x", "orgcpts-" + s),
				sosLocation("x", "orgsos-" + s),
				appointment("x", "appt-" + s, "810000000001", FUTURE));
		for (Resource resource : fresh) {
			String type = resource.fhirType();
			resource.setId((String) null);

			Response created = fhir().post("/" + type, resource);
			assertThat(created.status()).as(type + " create: " + created).isEqualTo(201);
			String location = created.header("Location");
			assertThat(location).as(type + " Location header").contains("/" + type + "/").contains("/_history/1");
			String id = created.resource().getIdElement().getIdPart();

			Response read = fhir().get("/" + type + "/" + id);
			assertThat(read.status()).isEqualTo(200);
			assertThat(read.resource().getMeta().getProfile()).extracting(CanonicalType::getValue)
					.containsExactlyElementsOf(resource.getMeta().getProfile().stream().map(CanonicalType::getValue).toList());

			Resource changed = read.resource();
			changed.getMeta().addTag("urn:test", "updated-" + s, null);
			Response updated = fhir().put("/" + type + "/" + id, changed);
			assertThat(updated.status()).as(type + " update: " + updated).isEqualTo(200);
			assertThat(updated.resource().getMeta().getVersionId()).isEqualTo("2");

			Bundle found = fhir().get("/" + type + "?_tag=urn:test|updated-" + s).bundle();
			assertThat(found.getTotal()).as(type + " search").isEqualTo(1);
			assertThat(found.getEntryFirstRep().getResource().getIdElement().getIdPart()).isEqualTo(id);
			assertThat(found.getEntryFirstRep().getSearch().getMode()).isEqualTo(Bundle.SearchEntryMode.MATCH);

			Response deleted = fhir().delete("/" + type + "/" + id);
			assertThat(deleted.status()).as(type + " delete: " + deleted).isIn(200, 204);
			assertThat(fhir().get("/" + type + "/" + id).status()).isEqualTo(410);
		}
	}

	@Test
	default void publishersKeepTheirOwnIdsIncludingPurelyNumericOnes() {
		String s = unique();
		String numeric = String.valueOf(Math.abs((long) s.hashCode()) + 1_000_000_000L);
		assertThat(fhir().put("/Organization/orgsos-" + s, sosOrganization("orgsos-" + s, "3" + digits(s, 14)))
				.status()).isEqualTo(201);
		Response created = fhir().put("/Location/" + numeric, sosLocation(numeric, "orgsos-" + s));
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		assertThat(fhir().get("/Location/" + numeric).resource().getIdElement().getIdPart()).isEqualTo(numeric);

		Response again = fhir().put("/Location/" + numeric, sosLocation(numeric, "orgsos-" + s));
		assertThat(again.status()).isEqualTo(200);
		assertThat(again.resource().getMeta().getVersionId()).as("unchanged content, no new version").isEqualTo("1");
	}

	/** Examples that are later versions of another example's appointment (same identifier as Appointment-1). */
	List<String> LATER_VERSIONS = List.of("Appointment/2", "Appointment/12345678");

	@Test
	default void aTransactionStoresAllTheGuidesExamplesWithTheirOwnIds() {
		List<Resource> examples = SharedIg.standaloneExamples();
		// The guide's slots are dated 2021-2024; CPTS slots are only exchanged for the next 48 hours (rules), so
		// every example slot is moved to start within the hour, keeping its duration.
		examples.stream().filter(r -> r instanceof Slot).map(r -> (Slot) r).forEach(slot -> {
			long minutes = (slot.getEnd().getTime() - slot.getStart().getTime()) / 60_000;
			slot.setStart(java.util.Date.from(FUTURE.toInstant().minusSeconds(3600)));
			slot.setEnd(java.util.Date.from(FUTURE.toInstant().minusSeconds(3600).plusSeconds(60 * minutes)));
		});
		List<Resource> firstVersions = examples.stream().filter(r -> !LATER_VERSIONS.contains(ref(r))).toList();
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource example : firstVersions) {
			tx.addEntry().setFullUrl(ref(example)).setResource(example)
					.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(ref(example));
		}
		Response response = fhir().post("/", tx);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		Bundle result = response.bundle();
		assertThat(result.getEntry()).hasSize(firstVersions.size());
		for (Bundle.BundleEntryComponent entry : result.getEntry()) {
			assertThat(entry.getResponse().getStatus()).matches("20[01] .*");
		}
		for (Resource example : firstVersions) {
			Response read = fhir().get("/" + ref(example));
			assertThat(read.status()).as(ref(example)).isEqualTo(200);
			Resource stored = read.resource();
			assertThat(stored.getIdElement().getIdPart()).isEqualTo(example.getIdElement().getIdPart());
			assertThat(stored.getMeta().getProfile()).extracting(CanonicalType::getValue)
					.containsExactlyElementsOf(example.getMeta().getProfile().stream().map(CanonicalType::getValue).toList());
			assertThat(identifiers(stored)).isEqualTo(identifiers(example));
		}

		// Appointment-2 is Appointment-1 cancelled: sent as the guide's conditional update, it changes it in place.
		Resource cancelled = examples.stream().filter(r -> ref(r).equals("Appointment/2")).findFirst().orElseThrow();
		org.hl7.fhir.r4.model.Identifier id = ((org.hl7.fhir.r4.model.Appointment) cancelled).getIdentifierFirstRep();
		Response updated = fhir().put("/Appointment?identifier=" + id.getSystem() + "|" + id.getValue(), cancelled);
		assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
		assertThat(updated.resource().getIdElement().getIdPart()).isEqualTo("1");
		assertThat(((org.hl7.fhir.r4.model.Appointment) fhir().get("/Appointment/1").resource()).getStatus())
				.isEqualTo(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.CANCELLED);
		assertThat(fhir().get("/Appointment/2").status()).isEqualTo(404);
	}

	static String ref(Resource r) {
		return r.fhirType() + "/" + r.getIdElement().getIdPart();
	}

	@Test
	default void oneSearchPageHoldsUpTo1000Entries() {
		String s = unique();
		storeGraph(s);
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < 1005; i++) {
			Slot slot = slot("bulk-" + s + "-" + i, "sched-" + s, FUTURE.plusMinutes(20L * i), 20);
			tx.addEntry().setResource(slot).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Slot/" + slot.getIdPart());
		}
		assertThat(fhir().post("/", tx).status()).isEqualTo(200);

		Bundle page = fhir().get("/Slot?schedule=Schedule/sched-" + s + "&_count=1000").bundle();
		assertThat(page.getTotal()).isEqualTo(1005);
		assertThat(page.getEntry()).hasSize(1000);
		assertThat(page.getLink(Bundle.LINK_NEXT)).isNotNull();
		Bundle rest = fhir().get(page.getLink(Bundle.LINK_NEXT).getUrl()).bundle();
		assertThat(rest.getEntry()).hasSize(5);

		Bundle capped = fhir().get("/Slot?schedule=Schedule/sched-" + s + "&_count=5000").bundle();
		assertThat(capped.getEntry()).hasSize(1000);
	}

	@Test
	default void theGuidesServiceTypeReferenceParameterSearchesAndIncludesTheCptsService() {
		String s = unique();
		storeGraph(s);
		assertThat(fhir().put("/Slot/cpts-" + s, cptsSlot("cpts-" + s, "sched-" + s, "hs-" + s, FUTURE, 20)).status())
				.isEqualTo(201);
		assertThat(fhir().put("/Slot/plain-" + s, slot("plain-" + s, "sched-" + s, FUTURE, 20)).status())
				.isEqualTo(201);

		Bundle byService = fhir().get("/Slot?service-type-reference=HealthcareService/hs-" + s).bundle();
		assertThat(byService.getTotal()).isEqualTo(1);
		assertThat(byService.getEntryFirstRep().getResource().getIdElement().getIdPart()).isEqualTo("cpts-" + s);

		Bundle included = fhir().get("/Slot?schedule=Schedule/sched-" + s
				+ "&_include=Slot:service-type-reference&_include:iterate=HealthcareService:organization").bundle();
		assertThat(included.getTotal()).isEqualTo(2);
		assertThat(modes(included, "Slot")).containsOnly(Bundle.SearchEntryMode.MATCH).hasSize(2);
		assertThat(modes(included, "HealthcareService")).containsExactly(Bundle.SearchEntryMode.INCLUDE);
		assertThat(modes(included, "Organization")).containsExactly(Bundle.SearchEntryMode.INCLUDE);
	}

	@Test
	default void theHealthEndpointReportsTheDatabase() {
		Response health = root().get("/actuator/health");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"");
	}

	/** Organization, HealthcareService, Practitioner, role, schedule (practitioner and SOS) suffixed by s. */
	default void storeGraph(String s) {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource r : List.<Resource>of(
				cptsOrganization("orgcpts-" + s, "1" + digits(s, 9)),
				cptsService("hs-" + s, "orgcpts-" + s),
				practitioner("prat-" + s, "8" + digits(s, 11)),
				practitionerRole("role-" + s, "prat-" + s),
				practitionerSchedule("sched-" + s, "prat-" + s, "role-" + s),
				sosOrganization("orgsos-" + s, "3" + digits(s, 14)),
				sosLocation("loc-" + s, "orgsos-" + s),
				sosSchedule("schedsos-" + s, "loc-" + s))) {
			tx.addEntry().setResource(r).getRequest().setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(r.fhirType() + "/" + r.getIdElement().getIdPart());
		}
		Response response = fhir().post("/", tx);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
	}

	static String digits(String seed, int length) {
		String d = String.valueOf(Math.abs((long) seed.hashCode())) + "00000000000000000000";
		return d.substring(0, length);
	}

	static List<Bundle.SearchEntryMode> modes(Bundle bundle, String type) {
		return bundle.getEntry().stream()
				.filter(e -> e.getResource().fhirType().equals(type))
				.map(e -> e.getSearch().getMode())
				.toList();
	}

	static List<String> identifiers(Resource resource) {
		Function<Identifier, String> key = i -> i.getSystem() + "|" + i.getValue();
		return FhirHttp.CTX.newTerser().getValues(resource, "identifier", Identifier.class).stream().map(key).toList();
	}
}
