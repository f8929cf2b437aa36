package fr.sas.fhir.postgres;

import static fr.sas.fhir.support.SasTestData.practitioner;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresServerTest;
import fr.sas.fhir.support.PostgresTestDatabase;
import fr.sas.fhir.support.ServerTestBase;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The server's own indexes on HAPI's tables are there after start on PostgreSQL, and the searches they serve answer as HAPI's. */
class PostgresSearchIndexesTest extends PostgresServerTest {

	@Autowired
	SearchIndexes indexes;

	@Autowired
	DataSource dataSource;

	private Boolean validity() {
		return new JdbcTemplate(dataSource).execute((java.sql.Connection c) -> SearchIndexes.validity(c, "idx_sas_res_live_type"));
	}

	@Test
	void theIndexIsBuiltAtStartAndAgainWhenDropped() {
		assertThat(validity()).as("built at start, valid").isTrue();
		assertThat(indexes.ensure()).as("nothing to build").isEmpty();
		new JdbcTemplate(dataSource).execute("DROP INDEX idx_sas_res_live_type");
		assertThat(validity()).isNull();
		assertThat(indexes.ensure()).containsExactly("idx_sas_res_live_type");
		assertThat(validity()).isTrue();
	}

	private static final String NAME = "idx_sas_res_live_type";

	/** A connection of its own, as another node's (or a third party's) would be. */
	private static java.sql.Connection connect() throws java.sql.SQLException {
		return java.sql.DriverManager.getConnection(PostgresTestDatabase.url(), PostgresTestDatabase.user(), PostgresTestDatabase.password());
	}

	/** A build held open: its connection's backend and the statement's end. */
	private record Build(int pid, CompletableFuture<Void> end) {}

	/**
	 * Starts the index's build on {@code builder} in the background while {@code blocker}'s open transaction holds a
	 * write lock on the table: the build waits for it ("waiting for writers before build"), its index invalid in
	 * pg_index. Returns the build, once PostgreSQL reports it in progress on the index.
	 */
	private Build holdABuildOpen(java.sql.Connection builder, java.sql.Connection blocker) throws Exception {
		JdbcTemplate sql = new JdbcTemplate(dataSource);
		sql.execute("DROP INDEX IF EXISTS " + NAME);
		blocker.setAutoCommit(false);
		try (java.sql.Statement s = blocker.createStatement()) {
			s.execute("LOCK TABLE hfj_resource IN ROW EXCLUSIVE MODE");
		}
		int pid = pid(builder);
		CompletableFuture<Void> build = CompletableFuture.runAsync(() -> {
			try (java.sql.Statement s = builder.createStatement()) {
				s.execute(SearchIndexes.INDEXES.get(0).ddl());
			} catch (java.sql.SQLException e) {
				throw new java.util.concurrent.CompletionException(e);
			}
		});
		// a condition polled (bounded), not a pause: the build's progress row names the index once it is created
		long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
		while (sql.queryForObject("SELECT COUNT(*) FROM pg_stat_progress_create_index WHERE pid = ? AND index_relid = to_regclass(?)",
				Long.class, pid, NAME) == 0) {
			assertThat(build).as("the build waits for the open transaction").isNotDone();
			assertThat(System.nanoTime()).as("the build shows in pg_stat_progress_create_index").isLessThan(deadline);
			Thread.sleep(20);
		}
		return new Build(pid, build);
	}

	private static int pid(java.sql.Connection c) throws java.sql.SQLException {
		try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
			r.next();
			return r.getInt(1);
		}
	}

	private Long oid() {
		return new JdbcTemplate(dataSource).queryForObject("SELECT to_regclass(?)::oid::bigint", Long.class, NAME);
	}

	@Test
	void anIndexAnotherNodeIsBuildingIsWaitedForNotDropped() throws Exception {
		try (java.sql.Connection builder = connect(); java.sql.Connection blocker = connect()) {
			CompletableFuture<Void> build = holdABuildOpen(builder, blocker).end();
			Long theirs = oid();
			assertThat(validity()).as("invalid while it is being built").isFalse();

			assertThat(indexes.ensure()).as("this node builds nothing, and returns at once").isEmpty();
			assertThat(oid()).as("the other build's index is not dropped").isEqualTo(theirs);
			CompletableFuture<SearchIndexes.Outcome> waiting = indexes.waiting(NAME).orElseThrow();
			assertThat(waiting).as("waited for in the background").isNotDone();
			assertThat(indexes.ensure()).as("a second call does not wait twice").isEmpty();

			blocker.commit(); // the other node's build goes on and ends
			build.get(120, java.util.concurrent.TimeUnit.SECONDS);
			assertThat(waiting.get(120, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(SearchIndexes.Outcome.BUILT_BY_ANOTHER);
			assertThat(validity()).isTrue();
			assertThat(oid()).as("still theirs").isEqualTo(theirs);
		}
	}

	@Test
	void anIndexLeftInvalidByACancelledBuildIsRebuilt() throws Exception {
		try (java.sql.Connection builder = connect(); java.sql.Connection blocker = connect()) {
			Build held = holdABuildOpen(builder, blocker);
			CompletableFuture<Void> build = held.end();
			Long cancelled = oid();
			new JdbcTemplate(dataSource).queryForObject("SELECT pg_cancel_backend(?)", Boolean.class, held.pid());
			assertThat(build).failsWithin(120, java.util.concurrent.TimeUnit.SECONDS);
			blocker.rollback();
			assertThat(validity()).as("left invalid by the cancelled build").isFalse();

			assertThat(indexes.ensure()).containsExactly(NAME);
			assertThat(validity()).isTrue();
			assertThat(oid()).as("dropped and built again").isNotEqualTo(cancelled);
		}
	}

	@Test
	void aTagSearchCountsAndReturnsTheLiveResourcesOnly() {
		String code = "ix-" + UUID.randomUUID().toString().substring(0, 8);
		FhirHttp publisher = fhir().with(ServerTestBase.PUBLISHER_HEADER, "indexes-" + code);
		List<String> ids = List.of(code + "-a", code + "-b", code + "-c");
		for (int i = 0; i < ids.size(); i++) {
			Practitioner p = practitioner(ids.get(i), "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "0000000000").substring(0, 10) + i);
			p.getMeta().addTag("urn:sas-test:index", code, null);
			assertThat(publisher.put("/Practitioner/" + ids.get(i), p).status()).isIn(200, 201);
		}
		assertThat(publisher.delete("/Practitioner/" + ids.get(1)).status()).isIn(200, 204);

		FhirHttp.Response count = fhir().get("/Practitioner?_tag=urn:sas-test:index|" + code + "&_summary=count");
		assertThat(count.status()).as(count.toString()).isEqualTo(200);
		assertThat(count.bundle().getTotal()).isEqualTo(2);
		Bundle found = fhir().get("/Practitioner?_tag=urn:sas-test:index|" + code + "&_sort=_id").bundle();
		assertThat(found.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactly(ids.get(0), ids.get(2));
	}
}
