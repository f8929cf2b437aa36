package fr.sas.fhir.index;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.OpenSearchNode;
import fr.sas.fhir.support.PostgresOpenSearchServerTest;
import fr.sas.fhir.support.PostgresTestDatabase;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.junit.jupiter.api.Test;

/**
 * The search index in a shared engine (OpenSearch): the server's indices live there under the configured prefix,
 * and after the engine loses its data {@code $index-rebuild} restores every search result from the database.
 */
class EngineIndexTest extends PostgresOpenSearchServerTest {

	private final String s = UUID.randomUUID().toString().substring(0, 8);
	private final OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);

	@Test
	void theIndicesLiveInTheEngineUnderThePrefix() throws Exception {
		String indices = OpenSearchNode.call("GET", "/_cat/indices/" + INDEX_PREFIX + "-*?h=index").body();
		assertThat(indices).contains(INDEX_PREFIX + "-resourcetable", INDEX_PREFIX + "-sas_contextual_card");
	}

	@Test
	void afterTheEngineLosesItsDataARebuildRestoresEverySearchResult() throws Exception {
		// a practitioner at a place of its own, somewhere in the middle of France
		double latitude = 46.0 + ThreadLocalRandom.current().nextDouble(0.5);
		double longitude = 2.0 + ThreadLocalRandom.current().nextDouble(0.5);
		String rpps = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
		Practitioner practitioner = practitioner("ep-" + s, rpps);
		PractitionerRole role = practitionerRole("er-" + s, "ep-" + s);
		Location place = (Location) role.getContained().get(0);
		place.getPosition().setLatitude(latitude).setLongitude(longitude);
		role.addSpecialty().addCoding().setSystem(R38).setCode("SM54").setDisplay("Médecine générale");
		Response written = fhir().putAll(List.of(practitioner, role, practitionerSchedule("es-" + s, "ep-" + s, "er-" + s),
				slot("e1-" + s, "es-" + s, t0.plusHours(2), 20)));
		assertThat(written.status()).as(written.toString()).isEqualTo(200);

		String contextual = "/Slot/$contextual-search?origin=TEST&specialty=SM54&radius=1&latitude=" + latitude
				+ "&longitude=" + longitude;
		assertThat(matches(contextual)).containsExactly("Slot/e1-" + s);

		// the engine loses the server's indices
		assertThat(OpenSearchNode.call("DELETE", "/" + INDEX_PREFIX + "-*").statusCode()).isEqualTo(200);
		assertThat(OpenSearchNode.call("GET", "/_cat/indices/" + INDEX_PREFIX + "-*?h=index").body()).isBlank();

		Response rebuilt = fhir().post("/$index-rebuild", new Parameters());
		assertThat(rebuilt.status()).as(rebuilt.toString()).isEqualTo(200);
		Parameters out = (Parameters) rebuilt.resource();
		assertThat(out.getParameter().stream().filter(p -> p.getName().equals("entity")).map(p -> p.getValue().primitiveValue()))
				.contains("ResourceTable", "ContextualCard");

		assertThat(matches(contextual)).containsExactly("Slot/e1-" + s);
		OpenSearchNode.call("POST", "/" + INDEX_PREFIX + "-*/_refresh");
		// every row of the indexed tables is a document again (other suites of this JVM share the database)
		assertThat(count("termconcept")).isEqualTo(rows("TRM_CONCEPT")).isPositive();
		assertThat(count("sas_contextual_card")).isEqualTo(rows("SAS_CONTEXTUAL_CARD")).isPositive();
		// and the database kept everything
		assertThat(fhir().get("/Practitioner/ep-" + s).status()).isEqualTo(200);
		assertThat(fhir().get("/Slot/e1-" + s).status()).isEqualTo(200);
	}

	private static long rows(String table) throws Exception {
		try (java.sql.Connection c = java.sql.DriverManager.getConnection(PostgresTestDatabase.url(),
				PostgresTestDatabase.user(), PostgresTestDatabase.password());
				java.sql.ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
			r.next();
			return r.getLong(1);
		}
	}

	/** Documents in one of the server's indices (its one physical index, {@code <prefix>-<name>-000001}). */
	private static long count(String index) throws Exception {
		String body = OpenSearchNode.call("GET", "/" + INDEX_PREFIX + "-" + index + "-0*/_count").body();
		return Long.parseLong(body.replaceAll(".*\"count\":(\\d+).*", "$1"));
	}

	private List<String> matches(String url) {
		Response response = fhir().get(url);
		assertThat(response.status()).as(url + " -> " + response).isEqualTo(200);
		return response.matches().stream().sorted().toList();
	}

}
