package fr.sas.fhir.nodes;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.OpenSearchNode;
import fr.sas.fhir.support.PostgresOpenSearchServerTest;
import fr.sas.fhir.support.SecondNodeExtension;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two server nodes on one PostgreSQL database and one OpenSearch index, as the compose file deploys them: the
 * contextual search on either node answers what was written through the other (cards in the shared index, slots
 * through the shared change counters).
 */
class TwoNodesOnEngineTest extends PostgresOpenSearchServerTest {

	@RegisterExtension
	static final SecondNodeExtension nodeB = new SecondNodeExtension(() -> new String[] {"--sas.index.backend=elasticsearch",
			"--sas.index.elasticsearch.hosts=" + OpenSearchNode.hosts(), "--sas.index.elasticsearch.version=opensearch:2.19",
			"--sas.index.elasticsearch.index-prefix=" + INDEX_PREFIX});

	private final String s = UUID.randomUUID().toString().substring(0, 8);
	private final OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);

	private FhirHttp a() {
		return fhir();
	}

	private static FhirHttp b() {
		return nodeB.fhir();
	}

	@Test
	void theContextualSearchOnEitherNodeAnswersWhatTheOtherWrote() {
		double latitude = 44.0 + ThreadLocalRandom.current().nextDouble(0.5);
		double longitude = 0.5 + ThreadLocalRandom.current().nextDouble(0.5);
		String rpps = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
		PractitionerRole role = roleAt("nr-" + s, "np-" + s, latitude, longitude);
		Response written = a().putAll(List.of(practitioner("np-" + s, rpps), role, practitionerSchedule("ns-" + s, "np-" + s, "nr-" + s),
				slot("n1-" + s, "ns-" + s, t0.plusHours(2), 20), slot("n2-" + s, "ns-" + s, t0.plusHours(3), 20)));
		assertThat(written.status()).as(written.toString()).isEqualTo(200);
		String here = contextual(latitude, longitude);

		// a card and slots written through A, found through B; both nodes now keep the schedule's free slots
		assertThat(matches(b(), here)).containsExactly("Slot/n1-" + s, "Slot/n2-" + s);
		assertThat(matches(a(), here)).containsExactly("Slot/n1-" + s, "Slot/n2-" + s);

		// a booking through B: gone from A's next answer
		Appointment booking = appointment("x", UUID.randomUUID().toString(), rpps, t0.plusHours(2));
		booking.setIdElement(null);
		booking.addSlot(new Reference("Slot/n1-" + s));
		Response booked = b().post("/Appointment", booking);
		assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
		assertThat(matches(a(), here)).containsExactly("Slot/n2-" + s);

		// the place moved through A: B finds the card at its new place, no longer at the old one
		double farther = latitude + 0.3;
		assertThat(a().put("/PractitionerRole/nr-" + s, roleAt("nr-" + s, "np-" + s, farther, longitude)).status()).isEqualTo(200);
		assertThat(matches(b(), contextual(farther, longitude))).containsExactly("Slot/n2-" + s);
		assertThat(matches(b(), here)).isEmpty();
	}

	private static PractitionerRole roleAt(String id, String practitioner, double latitude, double longitude) {
		PractitionerRole role = practitionerRole(id, practitioner);
		Location place = (Location) role.getContained().get(0);
		place.getPosition().setLatitude(latitude).setLongitude(longitude);
		role.addSpecialty().addCoding().setSystem(R38).setCode("SM54").setDisplay("Médecine générale");
		return role;
	}

	private static String contextual(double latitude, double longitude) {
		return "/Slot/$contextual-search?origin=TEST&specialty=SM54&radius=1&latitude=" + latitude + "&longitude=" + longitude;
	}

	private static List<String> matches(FhirHttp node, String url) {
		Response response = node.get(url);
		assertThat(response.status()).as(url + " -> " + response).isEqualTo(200);
		return response.matches().stream().sorted().toList();
	}

}
