package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static fr.sas.fhir.support.Outcomes.refused;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.H2ServerTest;
import java.util.UUID;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Schedule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SOS Médecins rules: places belong to a SIRET association, SOS schedules are the agendas of places. */
class SosRulesTest extends H2ServerTest {

	private String s;

	@BeforeEach
	void association() {
		s = UUID.randomUUID().toString().substring(0, 8);
		assertThat(fhir().put("/Organization/sos-" + s, sosOrganization("sos-" + s, "334173748400020")).status())
				.isEqualTo(201);
		assertThat(fhir().put("/Organization/cpts-" + s, cptsOrganization("cpts-" + s, "1950047225")).status())
				.isEqualTo(201);
	}

	@Test
	void aPlaceOfAnSosAssociationAndItsScheduleAreAccepted() {
		assertThat(fhir().put("/Location/loc-" + s, sosLocation("loc-" + s, "sos-" + s)).status()).isEqualTo(201);
		assertThat(fhir().put("/Schedule/sch-" + s, sosSchedule("sch-" + s, "loc-" + s)).status()).isEqualTo(201);
	}

	@Test
	void aPlaceIsIdentifiedByItsNationalStructureIdentifierOrAnInternalOne() {
		// SOS technical page: IDNST (with its prefix) when the place has one, INTRN otherwise (deviation D7).
		org.hl7.fhir.r4.model.Location place = sosLocation("loc-" + s, "sos-" + s);
		place.getIdentifierFirstRep().getType().getCodingFirstRep().setCode("IDNST");
		place.getIdentifierFirstRep().setSystem(IDNST_SYSTEM).setValue("1350000123");
		Response response = fhir().put("/Location/loc-" + s, place);
		assertThat(response.status()).as(response.toString()).isEqualTo(201);

		place.getIdentifierFirstRep().getType().getCodingFirstRep().setCode("IDNPS");
		Response other = fhir().put("/Location/loc2-" + s, place.setId("loc2-" + s));
		assertThat(other.status()).as(other.toString()).isEqualTo(422);
		assertThat(other.outcome().getIssue()).anyMatch(i -> i.getExpression().stream()
				.anyMatch(e -> e.getValue().startsWith("Location.identifier")));
	}

	@Test
	void anIdnstPlaceIdentifierOutsideTheNationalSystemIsRefused() {
		org.hl7.fhir.r4.model.Location place = sosLocation("loc-" + s, "sos-" + s);
		place.getIdentifierFirstRep().getType().getCodingFirstRep().setCode("IDNST");
		place.getIdentifierFirstRep().setSystem("https://editeur.example.fr").setValue("1350000123");
		Response response = fhir().put("/Location/loc-" + s, place);
		assertThat(refused(response, "SAS-sos-location-identifier", "Location.identifier[0].system"))
				.as(response.toString()).isTrue();
		assertThat(fhir().get("/Location/loc-" + s).status()).isEqualTo(404);
	}

	@Test
	void aPlaceManagedByAnOrganizationWithoutSiretIsRefused() {
		Response response = fhir().put("/Location/loc-" + s, sosLocation("loc-" + s, "cpts-" + s));
		assertThat(refused(response, "SAS-sos-organization", "Location.managingOrganization")).as(response.toString()).isTrue();
		assertThat(fhir().get("/Location/loc-" + s).status()).isEqualTo(404);
	}

	@Test
	void anSosScheduleWhoseActorIsNotAPlaceIsRefused() {
		Schedule schedule = sosSchedule("sch-" + s, "nowhere");
		schedule.getActorFirstRep().setReference("Organization/sos-" + s);
		Response response = fhir().put("/Schedule/sch-" + s, schedule);
		assertThat(refused(response, "SAS-sos-schedule-actor", "Schedule.actor[0]")).as(response.toString()).isTrue();
		assertThat(fhir().get("/Schedule/sch-" + s).status()).isEqualTo(404);
	}
}
