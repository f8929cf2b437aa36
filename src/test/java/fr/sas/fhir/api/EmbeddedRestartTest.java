package fr.sas.fhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.SasFhirServerApplication;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.SasTestData;
import fr.sas.fhir.warmup.WarmupFinished;
import fr.sas.fhir.warmup.WarmupStarting;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The embedded default keeps its data across a restart, and the conformance loader is idempotent. The second start
 * warms up before it reports ready: readiness is refused while the warm-up runs, accepted once it has run.
 */
class EmbeddedRestartTest {

	@TempDir
	Path dataDir;

	private final AtomicInteger readinessDuringWarmup = new AtomicInteger();
	private final AtomicReference<WarmupFinished> warmup = new AtomicReference<>();

	@Test
	void dataAndConformanceSurviveARestartWithoutNewVersions() {
		OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusHours(3).withNano(0);
		try (ConfigurableApplicationContext first = start()) {
			FhirHttp fhir = http(first);
			assertThat(fhir.put("/Practitioner/p1", SasTestData.practitioner("p1", "810000000007")).status())
					.isEqualTo(201);
			assertThat(fhir.put("/PractitionerRole/r1", SasTestData.practitionerRole("r1", "p1")).status())
					.isEqualTo(201);
			assertThat(fhir.put("/Schedule/s1", SasTestData.practitionerSchedule("s1", "p1", "r1")).status())
					.isEqualTo(201);
			assertThat(fhir.put("/Slot/slot1", SasTestData.slot("slot1", "s1", start, 20)).status())
					.isEqualTo(201);
			assertThat(fhir.get("/Slot?schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|810000000007"
					+ "&status=free&start=ge" + start.minusHours(1) + "&start=le" + start.plusHours(1)
					+ "&_include=Slot:schedule").bundle().getTotal()).isEqualTo(1);
		}
		assertThat(dataDir.resolve("cache/encoded-resources.bin"))
				.as("the searches' encoded resources, written at the graceful shutdown for the next start").isRegularFile();
		try (ConfigurableApplicationContext second = startWarmingUp()) {
			FhirHttp fhir = http(second);
			assertThat(readinessDuringWarmup.get()).as("readiness while the warm-up runs").isEqualTo(503);
			assertThat(warmup.get()).as("the warm-up ran before the start returned").isNotNull();
			assertThat(warmup.get().sent()).containsKeys("individual", "cpts", "sos", "contextual", "validate");
			assertThat(warmup.get().answered()).as("the warm-up's requests answered 200")
					.isEqualTo(warmup.get().sent());
			assertThat(readiness(fhir.base().replaceAll("/fhir/?$", ""))).as("readiness once started").isEqualTo(200);
			assertThat(fhir.get("/Slot/slot1").status()).isEqualTo(200);
			assertThat(fhir.get("/Slot?schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|810000000007"
					+ "&status=free&start=ge" + start.minusHours(1) + "&start=le" + start.plusHours(1))
					.bundle().getTotal()).isEqualTo(1);

			Bundle sp = fhir.get("/SearchParameter?url=https://interop.esante.gouv.fr/ig/fhir/sas/SearchParameter/"
					+ "cptsslot-sp-servicetype").bundle();
			assertThat(sp.getTotal()).isEqualTo(1);
			assertThat(((SearchParameter) sp.getEntryFirstRep().getResource()).getMeta().getVersionId())
					.as("reloading unchanged conformance content creates no new version").isEqualTo("1");
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(SasFhirServerApplication.class)
				.run("--server.port=0", "--sas.data-dir=" + dataDir);
	}

	/** Started with the warm-up on; when it starts, readiness is asked from outside, through HTTP. */
	private ConfigurableApplicationContext startWarmingUp() {
		return new SpringApplicationBuilder(SasFhirServerApplication.class)
				.listeners(event -> {
					if (event instanceof WarmupStarting starting) {
						readinessDuringWarmup.set(readiness(starting.base().replaceAll("/fhir/$", "")));
					} else if (event instanceof WarmupFinished finished) {
						warmup.set(finished);
					}
				})
				.run("--server.port=0", "--sas.data-dir=" + dataDir, "--sas.warmup.enabled=true",
						"--sas.warmup.requests=10");
	}

	private static int readiness(String root) {
		return new FhirHttp(root, "application/json").getVerbatim("/actuator/health/readiness").status();
	}

	private static FhirHttp http(ConfigurableApplicationContext context) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return new FhirHttp("http://localhost:" + port + "/fhir");
	}
}
