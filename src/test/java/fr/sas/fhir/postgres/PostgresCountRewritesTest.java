package fr.sas.fhir.postgres;

import static fr.sas.fhir.support.SasTestData.TYPE_CRENEAU;
import static fr.sas.fhir.support.SasTestData.practitioner;
import static fr.sas.fhir.support.SasTestData.practitionerRole;
import static fr.sas.fhir.support.SasTestData.practitionerSchedule;
import static fr.sas.fhir.support.SasTestData.slot;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresServerTest;
import fr.sas.fhir.support.SecondNode;
import fr.sas.fhir.support.ServerTestBase;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * HAPI's counts rewritten by {@link CountRewrites} give the same number as HAPI's own statements, on data with the
 * traps a wrong rewrite would fall into: a slot deleted through the API, one marked deleted with its index rows and
 * tags left, a tag defined twice with the same code (one slot tagged by both, one by the second only), a slot with
 * two date rows; and the server with the rewrites answers as a node without them ({@code sas.postgres.count-rewrites=false}),
 * the counts it rewrites and those it leaves alone.
 */
class PostgresCountRewritesTest extends PostgresServerTest {

	private static final OffsetDateTime DAY = OffsetDateTime.of(2031, 3, 12, 0, 0, 0, 0, ZoneOffset.UTC);
	private static final String PUBLIC_DAY = "/Slot?_security=" + TYPE_CRENEAU + "|PUBLIC&start=ge2031-03-12T00:00:00Z"
			+ "&start=lt2031-03-13T00:00:00Z&_summary=count";
	private static final CountRewrites REWRITES = new CountRewrites();

	@Autowired
	DataSource dataSource;

	@Autowired
	EntityManagerFactory entityManagerFactory;

	private static Timestamp writtenFrom;

	private JdbcTemplate sql() {
		return new JdbcTemplate(dataSource);
	}

	private long resId(String slotId) {
		return sql().queryForObject("SELECT res_id FROM hfj_resource WHERE res_type = 'Slot' AND fhir_id = ?", Long.class, slotId);
	}

	/** The slots of the day and around it, once for the class; the traps written in HAPI's tables. */
	private synchronized void slots() {
		if (writtenFrom != null) {
			return;
		}
		FhirHttp publisher = fhir().with(ServerTestBase.PUBLISHER_HEADER, "count-rewrites");
		List<Resource> agenda = new ArrayList<>(List.of(practitioner("cr-p", "881000000777"),
				practitionerRole("cr-r", "cr-p"), practitionerSchedule("cr-s", "cr-p", "cr-r")));
		for (int i = 1; i <= 4; i++) {
			agenda.add(slot("cr-pub-" + i, "cr-s", DAY.plusHours(8).plusMinutes(15 * i), 15));
		}
		Slot pro = slot("cr-pro", "cr-s", DAY.plusHours(10), 15);
		pro.getMeta().getSecurity().clear();
		pro.getMeta().addSecurity(TYPE_CRENEAU, "PRO", null);
		agenda.add(pro);
		agenda.add(slot("cr-pub-next-day", "cr-s", DAY.plusDays(1).plusHours(9), 15));
		agenda.add(slot("cr-pub-deleted", "cr-s", DAY.plusHours(11), 15));
		agenda.add(slot("cr-pub-marked", "cr-s", DAY.plusHours(12), 15));
		FhirHttp.Response stored = publisher.putAll(agenda);
		assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
		assertThat(publisher.delete("/Slot/cr-pub-deleted").status()).isIn(200, 204);

		JdbcTemplate sql = sql();
		// deleted as HAPI marks it, its index rows and tags left in place: only HFJ_RESOURCE says it is gone
		sql.update("UPDATE hfj_resource SET res_deleted_at = localtimestamp WHERE res_id = ?", resId("cr-pub-marked"));
		long firstPublic = sql.queryForObject("SELECT t.tag_id FROM hfj_res_tag t JOIN hfj_tag_def d ON d.tag_id = t.tag_id"
				+ " WHERE t.res_id = ? AND d.tag_code = 'PUBLIC'", Long.class, resId("cr-pub-1"));
		long secondPublic = firstPublic + 1_000_000_000L;
		// rows copied from HAPI's own under new ids (temporary tables: one connection)
		sql.execute((java.sql.Connection c) -> {
			try (java.sql.Statement s = c.createStatement()) {
				// PUBLIC defined a second time (HAPI creates a definition twice when two writers race)
				s.execute("CREATE TEMP TABLE cr_def AS SELECT * FROM hfj_tag_def WHERE tag_id = " + firstPublic);
				s.execute("UPDATE cr_def SET tag_id = " + secondPublic);
				s.execute("INSERT INTO hfj_tag_def SELECT * FROM cr_def");
				// cr-pub-1 tagged PUBLIC by both definitions, cr-pro by the second one only: PUBLIC too, by its code
				s.execute("CREATE TEMP TABLE cr_tag AS SELECT * FROM hfj_res_tag WHERE tag_id = " + firstPublic
						+ " AND res_id = " + resId("cr-pub-1"));
				s.execute("INSERT INTO cr_tag SELECT * FROM hfj_res_tag WHERE res_id = " + resId("cr-pro") + " LIMIT 1");
				s.execute("UPDATE cr_tag SET pid = pid + 1000000000, tag_id = " + secondPublic);
				s.execute("INSERT INTO hfj_res_tag SELECT * FROM cr_tag");
				// cr-pub-2 with two rows for its start
				s.execute("CREATE TEMP TABLE cr_date AS SELECT * FROM hfj_spidx_date WHERE sp_name = 'start' AND res_id = "
						+ resId("cr-pub-2"));
				s.execute("UPDATE cr_date SET sp_id = sp_id + 1000000000");
				s.execute("INSERT INTO hfj_spidx_date SELECT * FROM cr_date");
				s.execute("DROP TABLE cr_def, cr_tag, cr_date");
			}
			return null;
		});
		// as HAPI stored it (its clock and time zone), to the millisecond as a search gives it
		writtenFrom = sql.queryForObject("SELECT date_trunc('milliseconds', min(res_updated)) FROM hfj_resource WHERE fhir_id LIKE 'cr-%'",
				Timestamp.class);
	}

	@Test
	void theServersStatementsAreInspectedByTheRewrites() {
		slots();
		assertThat(entityManagerFactory.unwrap(SessionFactoryImplementor.class).getSessionFactoryOptions().getStatementInspector())
				.isInstanceOf(CountRewrites.class);
	}

	@Test
	void aDaysPublicSlotsAreCountedAsHapiCountsThem() {
		slots();
		String hapis = CountRewritesTest.TAG_AND_DATE;
		assertThat(REWRITES.inspect(hapis)).as("joined: left as it is").isSameAs(hapis);
		long hashIdentity = sql().queryForObject("SELECT hash_identity FROM hfj_spidx_date WHERE res_id = ? AND sp_name = 'start'",
				Long.class, resId("cr-pub-3"));
		Object[] parameters = {"Slot", 2, TYPE_CRENEAU, "PUBLIC", hashIdentity, Timestamp.valueOf("2031-03-12 00:00:00"),
				Timestamp.valueOf("2031-03-12 23:59:59.999")};
		// the traps are there: the join's rows, counted without DISTINCT, are more than the slots
		assertThat(sql().queryForObject(hapis.replace("COUNT(DISTINCT t0.RES_ID)", "COUNT(*)"), Long.class, parameters))
				.as("cr-pub-1 twice (two definitions), cr-pub-2 twice (two date rows)").isEqualTo(7);
		assertThat(sql().queryForObject(hapis, Long.class, parameters)).isEqualTo(5);
		assertThat(fhir().get(PUBLIC_DAY).bundle().getTotal())
				.as("cr-pub-1 to 4 and cr-pro; not the next day's, the deleted, the marked deleted").isEqualTo(5);
	}

	@Test
	void slotsWrittenSinceADateCountTheSameRewritten() {
		slots();
		// what makes COUNT(*) exact: RES_ID alone is HFJ_RESOURCE's primary key (not so if HAPI partitioned it)
		assertThat(sql().queryForList("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
				+ " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = 'hfj_resource'::regclass AND i.indisprimary", String.class))
				.containsExactly("res_id");
		String hapis = CountRewritesTest.LAST_UPDATED;
		String rewritten = REWRITES.inspect(hapis);
		assertThat(rewritten).startsWith("SELECT COUNT(*) ");
		assertThat(sql().queryForObject(rewritten, Long.class, "Slot", writtenFrom))
				.as("the six live slots written by this test").isEqualTo(6)
				.isEqualTo(sql().queryForObject(hapis, Long.class, "Slot", writtenFrom));
	}

	@Test
	void aNodeWithoutTheRewritesAnswersTheSameCounts() {
		slots();
		String since = "/Slot?_lastUpdated=ge" + writtenFrom.toLocalDateTime().atOffset(ZoneOffset.UTC) + "&_summary=count";
		try (SecondNode plain = SecondNode.start("--sas.postgres.count-rewrites=false")) {
			assertThat(plain.bean(EntityManagerFactory.class).unwrap(SessionFactoryImplementor.class).getSessionFactoryOptions()
					.getStatementInspector()).as("none").isNull();
			for (String search : List.of(since, "/Slot?_summary=count", PUBLIC_DAY, "/Slot?_security=" + TYPE_CRENEAU + "|PUBLIC&_summary=count",
					"/Slot?start=ge2031-03-12T00:00:00Z&start=lt2031-03-13T00:00:00Z&_summary=count")) {
				assertThat(fhir().get(search).bundle().getTotal()).as(search)
						.isEqualTo(plain.fhir().get(search).bundle().getTotal());
			}
			assertThat(fhir().get(since).bundle().getTotal()).isEqualTo(6);
		}
	}
}
