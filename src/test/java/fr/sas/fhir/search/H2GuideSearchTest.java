package fr.sas.fhir.search;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The slot searches on the embedded default, in the Spring context the other H2 suites share. */
class H2GuideSearchTest extends H2ServerTest {

	@Nested
	class Searches extends GuideSearchContract {
		@Override
		FhirHttp fhir() {
			return H2GuideSearchTest.this.fhir();
		}
	}

	@Nested
	class SortedPage extends SortedSlotPageContract {
		@Override
		FhirHttp fhir() {
			return H2GuideSearchTest.this.fhir();
		}
	}

	/** The warm-up's first step: the stored data the searches answer with, read into the caches before readiness. */
	@Nested
	class Preload {

		private static final Pattern SUMMARY =
				Pattern.compile("(\\d+) directory resources, (\\d+) schedules and their (\\d+) free slots read in \\d+ ms.*");

		@Autowired
		StoredDataPreload preload;
		@Autowired
		FreeSlotIndex freeSlots;
		@Autowired
		EncodedResources encodedResources;
		@Autowired
		JdbcTemplate jdbc;

		@Test
		void everyStoredDirectoryResourceAndFreeSlotIsReadIntoTheCachesBeforeTheFirstSearch() {
			String s = UUID.randomUUID().toString().substring(0, 8);
			OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
			FhirHttp.Response stored = fhir().putAll(List.of(practitioner("pp-" + s, "81" + String.format("%010d", Math.floorMod(s.hashCode(), 1_000_000_000L))),
					practitionerRole("pr-" + s, "pp-" + s), practitionerSchedule("ps-" + s, "pp-" + s, "pr-" + s),
					slot("pf1-" + s, "ps-" + s, t0.plusHours(2), 30), slot("pf2-" + s, "ps-" + s, t0.plusDays(3), 30)));
			assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
			// written just now: neither list nor JSON is kept yet
			assertThat(freeSlots.keeps("ps-" + s)).isFalse();
			assertThat(encodedResources.holds(pid("pf1-" + s), 1)).isFalse();

			Matcher summary = SUMMARY.matcher(preload.warm(Duration.ofMinutes(2)));

			assertThat(summary.matches()).as(summary.toString()).isTrue();
			assertThat(Integer.parseInt(summary.group(1))).as("every current resource of the directory types")
					.isEqualTo(jdbc.queryForObject("SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE IN ('Schedule',"
							+ " 'PractitionerRole', 'Practitioner', 'Location', 'Organization', 'HealthcareService')"
							+ " AND RES_DELETED_AT IS NULL", Integer.class));
			assertThat(Integer.parseInt(summary.group(3))).isGreaterThanOrEqualTo(2);
			assertThat(freeSlots.keeps("ps-" + s)).as("the schedule's free slots").isTrue();
			for (String id : List.of("pf1-" + s, "pf2-" + s, "pp-" + s, "pr-" + s, "ps-" + s)) {
				assertThat(encodedResources.holds(pid(id), 1)).as(id + ", version 1").isTrue();
			}
		}

		@Test
		void noBudgetReadsNothing() {
			assertThat(preload.warm(Duration.ZERO))
					.startsWith("0 directory resources, 0 schedules and their 0 free slots read in")
					.endsWith("(the budget ran out)");
		}

		private long pid(String id) {
			Map<String, Object> row = jdbc.queryForMap("SELECT RES_ID FROM HFJ_RESOURCE WHERE FHIR_ID = ?", id);
			return ((Number) row.get("RES_ID")).longValue();
		}
	}
}
