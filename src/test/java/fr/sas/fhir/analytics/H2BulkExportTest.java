package fr.sas.fhir.analytics;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import fr.sas.fhir.support.ServerTestBase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;

/** HAPI's bulk data $export on the server's FHIR endpoint: asynchronous, polled, NDJSON files read back. */
class H2BulkExportTest extends H2ServerTest {

	private final HttpClient http = HttpClient.newHttpClient();

	private HttpResponse<String> get(String url, String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).GET();
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void aSystemExportOfSlotsFilteredByPublisherGivesTheirNdjson() throws Exception {
		String run = UUID.randomUUID().toString().substring(0, 8);
		String publisher = "export-" + run;
		FhirHttp fhir = fhir().with(ServerTestBase.PUBLISHER_HEADER, publisher);
		OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withHour(10).withMinute(0).withSecond(0).withNano(0);
		String p = "ex-" + run + "-p";
		String rpps = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
		assertThat(fhir.put("/Practitioner/" + p, practitioner(p, rpps)).status()).isEqualTo(201);
		assertThat(fhir.put("/PractitionerRole/" + p + "r", practitionerRole(p + "r", p)).status()).isEqualTo(201);
		assertThat(fhir.put("/Schedule/" + p + "s", practitionerSchedule(p + "s", p, p + "r")).status()).isEqualTo(201);
		Set<String> written = new HashSet<>();
		for (int i = 0; i < 4; i++) {
			String id = "ex-" + run + "-" + i;
			assertThat(fhir.put("/Slot/" + id, slot(id, p + "s", start.plusMinutes(15L * i), 15)).status()).isEqualTo(201);
			written.add(id);
		}

		String base = fhir().base();
		String filter = URLEncoder.encode("Slot?_tag=" + SlotFacts.OWNER_SYSTEM + "|" + publisher, StandardCharsets.UTF_8);
		HttpResponse<String> kickOff = get(base + "/$export?_type=Slot&_typeFilter=" + filter, "Prefer", "respond-async",
				"Accept", "application/fhir+json");
		assertThat(kickOff.statusCode()).as(kickOff.body()).isEqualTo(202);
		String poll = kickOff.headers().firstValue("Content-Location").orElseThrow();

		AtomicReference<HttpResponse<String>> done = new AtomicReference<>();
		await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			HttpResponse<String> status = get(poll);
			assertThat(status.statusCode()).as(status.body()).isIn(200, 202);
			done.set(status);
			return status.statusCode() == 200;
		});
		JsonNode manifest = new ObjectMapper().readTree(done.get().body());
		List<String> exported = new ArrayList<>();
		for (JsonNode output : manifest.get("output")) {
			assertThat(output.get("type").asText()).isEqualTo("Slot");
			HttpResponse<String> file = get(output.get("url").asText(), "Accept", "application/fhir+ndjson");
			assertThat(file.statusCode()).isEqualTo(200);
			for (String line : file.body().split("\n")) {
				if (!line.isBlank()) {
					exported.add(FhirHttp.CTX.newJsonParser().parseResource(Slot.class, line).getIdElement().getIdPart());
				}
			}
		}
		assertThat(exported).containsExactlyInAnyOrderElementsOf(written);
	}

	@Test
	void anUnknownTypeIsRefused() throws Exception {
		HttpResponse<String> refused = get(fhir().base() + "/$export?_type=Planet", "Prefer", "respond-async", "Accept",
				"application/fhir+json");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
		assertThat(refused.body()).contains("OperationOutcome").contains("Planet");
	}
}
