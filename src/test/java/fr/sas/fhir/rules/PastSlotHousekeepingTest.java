package fr.sas.fhir.rules;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.H2ServerTest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Slots ended more than the retention (7 days) ago are removed; recent and referenced ones stay. */
class PastSlotHousekeepingTest extends H2ServerTest {

	@Autowired
	PastSlotHousekeeping housekeeping;

	@Test
	void slotsEndedBeforeTheRetentionAreRemovedOthersStay() {
		String s = UUID.randomUUID().toString().substring(0, 8);
		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
		assertThat(fhir().put("/Practitioner/p-" + s, practitioner("p-" + s, "810000000555")).status()).isEqualTo(201);
		assertThat(fhir().put("/PractitionerRole/r-" + s, practitionerRole("r-" + s, "p-" + s)).status()).isEqualTo(201);
		assertThat(fhir().put("/Schedule/sc-" + s, practitionerSchedule("sc-" + s, "p-" + s, "r-" + s)).status()).isEqualTo(201);
		assertThat(fhir().put("/Slot/old-" + s, slot("old-" + s, "sc-" + s, now.minusDays(10), 20)).status()).isEqualTo(201);
		assertThat(fhir().put("/Slot/kept-" + s, slot("kept-" + s, "sc-" + s, now.minusDays(10).plusMinutes(20), 20)).status())
				.isEqualTo(201);
		assertThat(fhir().put("/Slot/recent-" + s, slot("recent-" + s, "sc-" + s, now.minusDays(2), 20)).status()).isEqualTo(201);
		assertThat(fhir().put("/Slot/future-" + s, slot("future-" + s, "sc-" + s, now.plusDays(1), 20)).status()).isEqualTo(201);
		var booked = appointment("a-" + s, UUID.randomUUID().toString(), "810000000555", now.minusDays(10).plusMinutes(20));
		booked.setStatus(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.FULFILLED);
		booked.addSlot(new Reference("Slot/kept-" + s));
		assertThat(fhir().put("/Appointment/a-" + s, booked).status()).isEqualTo(201);

		assertThat(housekeeping.purge()).isGreaterThanOrEqualTo(1);

		assertThat(fhir().get("/Slot/old-" + s).status()).isEqualTo(410);
		assertThat(fhir().get("/Slot/kept-" + s).status()).as("an appointment still references it").isEqualTo(200);
		assertThat(fhir().get("/Slot/recent-" + s).status()).isEqualTo(200);
		assertThat(fhir().get("/Slot/future-" + s).status()).isEqualTo(200);
	}
}
