package fr.sas.fhir.search;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;
import org.hl7.fhir.r4.model.Slot;
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

	/** The cache of encoded resources written at a graceful shutdown and read back, checked, at the next start. */
	@Nested
	class Snapshot {

		@Autowired
		StoredDataPreload preload;
		@Autowired
		EncodedResources encodedResources;
		@Autowired
		EncodedResourcesSnapshot snapshot;
		@Autowired
		SlotIndexQueries queries;
		@Autowired
		IHapiTransactionService transactions;
		@Autowired
		FhirContext fhirContext;
		@Autowired
		SearchBuilderFactory<JpaPid> searchBuilders;
		@Autowired
		SasProperties properties;
		@Autowired
		JdbcTemplate jdbc;
		@TempDir
		Path dir;

		@Test
		void whatWasEncodedComesBackAfterARestartButWhatChangedMeanwhile() throws Exception {
			String s = UUID.randomUUID().toString().substring(0, 8);
			OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
			Slot slot = slot("sf1-" + s, "ss-" + s, t0.plusHours(2), 30);
			assertThat(fhir().putAll(List.of(practitioner("sp-" + s, "81" + String.format("%010d", Math.floorMod(s.hashCode(), 1_000_000_000L))),
					practitionerRole("sr-" + s, "sp-" + s), practitionerSchedule("ss-" + s, "sp-" + s, "sr-" + s), slot))
					.status()).isEqualTo(200);
			preload.warm(Duration.ofMinutes(2));
			Path file = dir.resolve("encoded-resources.bin");
			snapshot.write(file, encodedResources.kept());
			// written while the node was down: a new version of the slot
			slot.setEnd(java.util.Date.from(t0.plusHours(2).plusMinutes(45).toInstant()));
			assertThat(fhir().put("/Slot/sf1-" + s, slot).status()).isEqualTo(200);

			EncodedResources restarted = new EncodedResources(fhirContext, searchBuilders, properties);
			String line = new EncodedResourcesSnapshot(restarted, queries, transactions, properties)
					.read(file, Duration.ofMinutes(2));

			assertThat(line).contains("encoded resources of the snapshot written");
			for (String id : List.of("sp-" + s, "sr-" + s, "ss-" + s)) {
				long pid = pid(id);
				assertThat(restarted.holds(pid, 1)).as(id + ", unchanged").isTrue();
				assertThat(restarted.kept().get(pid).json()).as("the JSON HAPI encoded")
						.isEqualTo(encodedResources.kept().get(pid).json());
				assertThat(restarted.kept().get(pid).facets()).isEqualTo(encodedResources.kept().get(pid).facets());
			}
			long slotPid = pid("sf1-" + s);
			assertThat(restarted.kept()).as("the slot changed since the snapshot: read from the store again")
					.doesNotContainKey(slotPid);
		}

		@Test
		void aSnapshotOfAnotherStoreKeepsNothingOfIt() throws Exception {
			String s = UUID.randomUUID().toString().substring(0, 8);
			assertThat(fhir().put("/Practitioner/so-" + s, practitioner("so-" + s,
					"81" + String.format("%010d", Math.floorMod(s.hashCode() + 7, 1_000_000_000L)))).status()).isEqualTo(201);
			preload.warm(Duration.ofMinutes(2));
			long pid = pid("so-" + s);
			EncodedResources.Encoded kept = encodedResources.kept().get(pid);
			assertThat(kept).isNotNull();
			// the same resource id and version, written at another millisecond: another store under the file
			EncodedResources.Encoded other = new EncodedResources.Encoded(kept.type(), kept.id(), kept.version(),
					kept.updated() + 1, kept.json(), kept.cpts(), kept.end(), kept.scheduleId(), kept.facets(),
					kept.start(), kept.free());
			Path file = dir.resolve("other.bin");
			snapshot.write(file, Map.of(pid, other));
			EncodedResources restarted = new EncodedResources(fhirContext, searchBuilders, properties);

			assertThat(new EncodedResourcesSnapshot(restarted, queries, transactions, properties).read(file, Duration.ofMinutes(1)))
					.startsWith("0 of the 1 encoded resources");
			assertThat(restarted.kept()).isEmpty();
		}

		@Test
		void aFileThatIsNotASnapshotIsIgnored() throws Exception {
			Path file = dir.resolve("not-a-snapshot.bin");
			Files.writeString(file, "{\"resourceType\":\"Slot\"}");
			EncodedResources restarted = new EncodedResources(fhirContext, searchBuilders, properties);

			assertThat(new EncodedResourcesSnapshot(restarted, queries, transactions, properties).read(file, Duration.ofMinutes(1)))
					.endsWith("of another format: ignored");
			assertThat(restarted.kept()).isEmpty();
		}

		@Test
		void aGracefulStopWritesTheSnapshotUnderTheDataDirectory() {
			String s = UUID.randomUUID().toString().substring(0, 8);
			assertThat(fhir().put("/Practitioner/sg-" + s, practitioner("sg-" + s,
					"81" + String.format("%010d", Math.floorMod(s.hashCode() + 11, 1_000_000_000L)))).status()).isEqualTo(201);
			preload.warm(Duration.ofMinutes(2));
			Path file = properties.getDataDir().resolve("cache").resolve(EncodedResourcesSnapshot.FILE);
			snapshot.stop();
			snapshot.start();

			assertThat(file).isRegularFile();
			EncodedResources restarted = new EncodedResources(fhirContext, searchBuilders, properties);
			new EncodedResourcesSnapshot(restarted, queries, transactions, properties).warm(Duration.ofMinutes(2));
			assertThat(restarted.holds(pid("sg-" + s), 1)).isTrue();
		}

		private long pid(String id) {
			return jdbc.queryForObject("SELECT RES_ID FROM HFJ_RESOURCE WHERE FHIR_ID = ?", Long.class, id);
		}
	}
}
