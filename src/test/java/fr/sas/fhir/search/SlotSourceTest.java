package fr.sas.fhir.search;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.common.SlotSource;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.H2ServerTest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The store's {@link SlotSource} goes around HAPI's search (link index, in-memory free slots, encoded cache): its
 * answers equal HAPI's generic search for the same question, less what the search-side rules never offer.
 */
class SlotSourceTest extends H2ServerTest {

	private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

	@Autowired
	SlotSource slots;

	@Test
	void theStoresSlotsAreHapisGenericSearchLessWhatTheRulesNeverOffer() {
		String s = UUID.randomUUID().toString().substring(0, 8);
		OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
		List<Resource> graph = List.of(practitioner("p-" + s, "810000000999"), practitionerRole("r-" + s, "p-" + s),
				practitionerSchedule("sc-" + s, "p-" + s, "r-" + s),
				cptsOrganization("o-" + s, "1234567890"), cptsService("hs-" + s, "o-" + s),
				slot("a-" + s, "sc-" + s, t0.plusHours(3), 20), slot("b-" + s, "sc-" + s, t0.plusHours(1), 20),
				slot("ended-" + s, "sc-" + s, t0.minusHours(2), 30), slot("late-" + s, "sc-" + s, t0.plusDays(3), 20),
				cptsSlot("c-" + s, "sc-" + s, "hs-" + s, t0.plusHours(2), 20));
		assertThat(fhir().putAll(graph).status()).isEqualTo(200);

		OffsetDateTime from = t0.minusHours(4);
		OffsetDateTime to = t0.plusHours(30);
		List<String> byActor = slots.byScheduleActor(List.of("PractitionerRole/r-" + s), from.toInstant(), to.toInstant())
				.stream().map(o -> o.slot().getIdElement().getIdPart()).toList();
		List<String> hapi = ids(fhir().get("/Slot?schedule.actor=PractitionerRole/r-" + s + "&status=free&start=ge"
				+ enc(from) + "&start=le" + enc(to) + "&_sort=start"));
		assertThat(hapi).contains("ended-" + s);
		assertThat(byActor).containsExactlyElementsOf(hapi.stream().filter(id -> !id.startsWith("ended-")).toList());
		assertThat(byActor).containsExactly("b-" + s, "c-" + s, "a-" + s);

		List<String> byService = slots.byService(List.of("HealthcareService/hs-" + s), from.toInstant(), to.toInstant())
				.stream().map(o -> o.slot().getIdElement().getIdPart()).toList();
		assertThat(byService).containsExactlyElementsOf(ids(fhir().get("/Slot?service-type-reference=HealthcareService/hs-" + s
				+ "&status=free&start=ge" + enc(from) + "&start=le" + enc(to) + "&_sort=start")));
		assertThat(slots.byService(List.of("HealthcareService/hs-" + s), from.toInstant(), to.toInstant()).get(0).owner())
				.isEqualTo("HealthcareService/hs-" + s);
		assertThat(slots.read(List.of("Schedule/sc-" + s, "Slot/none-" + s))).containsOnlyKeys("Schedule/sc-" + s);
	}

	private static String enc(OffsetDateTime time) {
		return time.format(SECONDS).replace("+", "%2B");
	}

	private static List<String> ids(Response response) {
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		return response.bundle().getEntry().stream().map(e -> (Slot) e.getResource()).map(r -> r.getIdElement().getIdPart()).toList();
	}
}
