package fr.sas.fhir.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The H2 file shrinks back to its data after a delete-heavy workload, by itself, and at shutdown within its bound. */
class H2FileCompactionTest {

	@TempDir
	Path dir;

	private JdbcConnectionPool pool;

	@BeforeEach
	void open() {
		// H2's own background compaction off: what shrinks the file here is the server's.
		pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("sas") + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_COMPACT_FILL_RATE=0",
				"sa", "");
	}

	@AfterEach
	void close() {
		pool.dispose();
	}

	@Test
	void aFileMostlyMadeOfDeletedRowsIsCompactedWhileServing() throws Exception {
		H2File file = new H2File(pool);
		H2File.State loaded = loadThenDeleteMostRows();
		assertThat(loaded.liveShare()).as("after the deletions, live data are a small part of the file").isLessThan(50);

		H2FileCompaction compaction = new H2FileCompaction(file, properties(Duration.ofHours(1), Duration.ZERO));
		try {
			compaction.check();
		} finally {
			compaction.destroy();
		}
		H2File.State after = file.state();
		assertThat(after.size()).as("file size").isLessThan(loaded.size() / 2);
		assertThat(after.liveShare()).as("live share").isGreaterThanOrEqualTo(80);
		assertThat(compaction.health().getDetails()).containsKey("sizeMB").containsKey("liveSharePercent");
		assertThat((String) compaction.health().getDetails().get("lastCompaction")).contains("while serving");
		try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
			var rows = sql.executeQuery("select count(*), sum(length(body)) from filler");
			rows.next();
			assertThat(rows.getLong(1)).as("the rows kept are all there").isEqualTo(200);
		}
	}

	/*
	 * Repeated: about one load in fifteen left the emptied chunks among the two H2 saved last, which it never
	 * rewrites; the shutdown compaction then did nothing (seen on CI, reproduced here 6 times in 85).
	 */
	@RepeatedTest(5)
	void aGracefulShutdownCompactsWithinItsTime() throws Exception {
		H2File file = new H2File(pool);
		H2File.State loaded = loadThenDeleteMostRows();

		H2FileCompaction compaction = new H2FileCompaction(file, properties(Duration.ofHours(1), Duration.ofSeconds(20)));
		long started = System.nanoTime();
		compaction.destroy();
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		assertThat(file.state().size()).as("file size after, loaded %s", loaded).isLessThan(loaded.size() / 2);
		assertThat(took).as("within the shutdown time (and a step)").isLessThan(Duration.ofSeconds(25));
	}

	/** About 16 MB of rows written, 90 % of them deleted, committed and flushed to the file. */
	private H2File.State loadThenDeleteMostRows() throws Exception {
		try (Connection connection = pool.getConnection(); Statement sql = connection.createStatement()) {
			sql.execute("create table filler(id int primary key, body varchar(10000))");
			try (PreparedStatement insert = connection.prepareStatement("insert into filler values (?, ?)")) {
				String body = "x".repeat(8000);
				for (int i = 0; i < 2000; i++) {
					insert.setInt(1, i);
					insert.setString(2, body + i);
					insert.addBatch();
					if (i % 500 == 499) {
						insert.executeBatch();
					}
				}
			}
			sql.execute("delete from filler where mod(id, 10) <> 0");
			// H2 counts the space freed when it writes its next chunks.
			for (int i = 0; i < 3; i++) {
				sql.execute("checkpoint sync");
				sql.execute("update filler set body = body || 'y' where id = 0");
			}
			sql.execute("checkpoint sync");
		}
		return new H2File(pool).state();
	}

	private static CompactionProperties properties(Duration checkEvery, Duration shutdownTime) {
		CompactionProperties properties = new CompactionProperties();
		properties.setCheckEvery(checkEvery);
		properties.setMinFileSize(DataSize.ofBytes(0));

		properties.setStep(Duration.ofMillis(200));
		properties.setShutdownTime(shutdownTime);
		return properties;
	}
}
