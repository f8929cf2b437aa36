package fr.sas.fhir.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * The server's own indexes on HAPI's tables, for searches HAPI's indexes serve badly on PostgreSQL (docs/search.md,
 * "The analyst's searches"). HAPI's search roots a tag or {@code _lastUpdated} search on {@code HFJ_RESOURCE} with
 * {@code RES_TYPE = ? AND RES_DELETED_AT IS NULL}: joined to a tag and a date range, PostgreSQL probes the primary key
 * and reads each matching row from the table to check those two columns (a heap fetch per match). A partial index of
 * the live resources' id and type answers the probe from the index alone.
 * <p>
 * Created at start when missing, {@code CONCURRENTLY} (writes go on while it is built; a few seconds for 2 million
 * resources), by every node ({@code IF NOT EXISTS}: a node starting later finds it). An index not valid in
 * {@code pg_index} is either being built by another backend (another node starting at the same time: PostgreSQL
 * marks it valid only at the end of the build) or left invalid by a build that failed or was cancelled. Another
 * backend's build shows in {@code pg_stat_progress_create_index} (on the index, or on its table before the index
 * exists): it is waited for in the background, at most {@link #WAIT_AT_MOST}, so that start-up is not held; if it ends
 * without a valid index, or when no build is in progress, the invalid index is dropped and built again.
 */
class SearchIndexes implements SmartInitializingSingleton, DisposableBean {

	private static final Logger LOG = LoggerFactory.getLogger(SearchIndexes.class);

	/** How long a node waits for another backend's build of an index before leaving it to that backend. */
	static final Duration WAIT_AT_MOST = Duration.ofHours(1);
	private static final long POLL_MS = 1000;

	/** Name, table and definition of each index (PostgreSQL folds the names to lower case). */
	record Definition(String name, String table, String ddl) {}

	/** What became of an index. */
	enum Outcome {
		/** Valid already. */
		PRESENT,
		/** Built (or dropped, being invalid, and built again) by this node. */
		BUILT,
		/** Being built by another backend: waited for in the background ({@link #waiting}). */
		WAITING,
		/** Built by another backend while this node waited. */
		BUILT_BY_ANOTHER,
		/** Still being built by another backend after {@link #WAIT_AT_MOST}: left to it. */
		LEFT_TO_ANOTHER,
		/** Not built (the error is logged): the searches it serves stay slower. */
		FAILED
	}

	static final List<Definition> INDEXES = List.of(new Definition("idx_sas_res_live_type", "hfj_resource",
			"CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_sas_res_live_type ON hfj_resource (res_id, res_type)"
					+ " WHERE res_deleted_at IS NULL"));

	private final DataSource dataSource;
	private final Duration waitAtMost;
	private final ExecutorService waiter = Executors.newSingleThreadExecutor(task -> {
		Thread thread = new Thread(task, "sas-search-indexes");
		thread.setDaemon(true);
		return thread;
	});
	private final Map<String, CompletableFuture<Outcome>> waits = new ConcurrentHashMap<>();

	SearchIndexes(DataSource dataSource) {
		this(dataSource, WAIT_AT_MOST);
	}

	SearchIndexes(DataSource dataSource, Duration waitAtMost) {
		this.dataSource = dataSource;
		this.waitAtMost = waitAtMost;
	}

	@Override
	public void afterSingletonsInstantiated() {
		ensure();
	}

	@Override
	public void destroy() {
		waiter.shutdownNow();
	}

	/**
	 * Builds each index missing or left invalid by a failed build; one another backend is building is waited for in
	 * the background. Returns the names built by this call.
	 */
	List<String> ensure() {
		List<String> built = new ArrayList<>();
		for (Definition index : INDEXES) {
			CompletableFuture<Outcome> pending = waits.get(index.name());
			if (pending != null && !pending.isDone()) {
				continue; // already waiting for another backend's build
			}
			Outcome outcome = ensure(index);
			if (outcome == Outcome.BUILT) {
				built.add(index.name());
			} else if (outcome == Outcome.WAITING) {
				waits.put(index.name(), CompletableFuture.supplyAsync(() -> awaitOther(index), waiter));
			}
		}
		return built;
	}

	/** The background wait for another backend's build of an index, if one was started. */
	Optional<CompletableFuture<Outcome>> waiting(String name) {
		return Optional.ofNullable(waits.get(name));
	}

	private Outcome ensure(Definition index) {
		try (Connection c = dataSource.getConnection()) {
			boolean autoCommit = c.getAutoCommit();
			c.setAutoCommit(true); // CREATE INDEX CONCURRENTLY runs outside a transaction
			try (Statement s = c.createStatement()) {
				Boolean valid = validity(c, index.name());
				if (Boolean.TRUE.equals(valid)) {
					return Outcome.PRESENT;
				}
				if (buildInProgress(c, index)) {
					LOG.info("PostgreSQL: index {} is being built by another backend (pid {}): waited for in the background",
							index.name(), builders(c, index));
					return Outcome.WAITING;
				}
				if (valid != null) {
					LOG.warn("PostgreSQL: index {} left invalid by a failed build: dropped and built again", index.name());
					s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index.name());
				}
				long started = System.nanoTime();
				s.execute(index.ddl());
				if (!Boolean.TRUE.equals(validity(c, index.name()))) {
					// IF NOT EXISTS skipped it: another backend began building it since the check above
					return buildInProgress(c, index) ? Outcome.WAITING : Outcome.FAILED;
				}
				LOG.info("PostgreSQL: index {} built in {} ms", index.name(), (System.nanoTime() - started) / 1_000_000);
				return Outcome.BUILT;
			} finally {
				c.setAutoCommit(autoCommit);
			}
		} catch (SQLException | RuntimeException e) {
			LOG.warn("PostgreSQL: index {} not built ({}): the searches it serves stay slower", index.name(), e.toString());
			return Outcome.FAILED;
		}
	}

	/** Polls until another backend's build ends: valid, it is theirs; not, this node builds it; too long, it is left. */
	private Outcome awaitOther(Definition index) {
		long deadline = System.nanoTime() + waitAtMost.toNanos();
		while (true) {
			boolean building;
			try (Connection c = dataSource.getConnection()) {
				if (Boolean.TRUE.equals(validity(c, index.name()))) {
					LOG.info("PostgreSQL: index {} built by another backend", index.name());
					return Outcome.BUILT_BY_ANOTHER;
				}
				building = buildInProgress(c, index);
			} catch (SQLException | RuntimeException e) {
				LOG.warn("PostgreSQL: index {}: the wait for another backend's build stopped ({})", index.name(), e.toString());
				return Outcome.FAILED;
			}
			if (!building) {
				// their build ended without a valid index (failed, cancelled): dropped and built here
				Outcome outcome = ensure(index);
				if (outcome == Outcome.PRESENT) {
					// their build ended valid between the two looks above: still theirs
					LOG.info("PostgreSQL: index {} built by another backend", index.name());
					return Outcome.BUILT_BY_ANOTHER;
				}
				if (outcome != Outcome.WAITING) {
					return outcome;
				}
			}
			if (System.nanoTime() > deadline) {
				LOG.warn("PostgreSQL: index {} still being built by another backend after {}: left to it", index.name(), waitAtMost);
				return Outcome.LEFT_TO_ANOTHER;
			}
			try {
				Thread.sleep(POLL_MS);
			} catch (InterruptedException stopping) {
				Thread.currentThread().interrupt();
				return Outcome.FAILED;
			}
		}
	}

	/** Null when the index does not exist in the current schema; else whether it is valid (a build finished). */
	static Boolean validity(Connection c, String name) throws SQLException {
		try (PreparedStatement q = c.prepareStatement("SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
				+ " JOIN pg_namespace n ON n.oid = x.relnamespace WHERE x.relname = ? AND n.nspname = current_schema()")) {
			q.setString(1, name);
			try (ResultSet r = q.executeQuery()) {
				return r.next() ? r.getBoolean(1) : null;
			}
		}
	}

	/** The index progress rows of other backends building this index, or any index of its table (its name not known yet). */
	private static final String BUILDS = "FROM pg_stat_progress_create_index p WHERE p.pid <> pg_backend_pid()"
			+ " AND p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())"
			+ " AND (p.index_relid = to_regclass(?) OR p.relid = to_regclass(?))";

	/**
	 * Whether another backend is building the index (or an index of its table: {@code CREATE INDEX} would wait for it).
	 * A backend of another database user shows no relation there unless this one may read all statistics
	 * ({@code pg_read_all_stats}): the nodes connect as one user.
	 */
	static boolean buildInProgress(Connection c, Definition index) throws SQLException {
		return !builders(c, index).isEmpty();
	}

	private static List<Integer> builders(Connection c, Definition index) throws SQLException {
		try (PreparedStatement q = c.prepareStatement("SELECT p.pid " + BUILDS)) {
			q.setString(1, index.name());
			q.setString(2, index.table());
			List<Integer> pids = new ArrayList<>();
			try (ResultSet r = q.executeQuery()) {
				while (r.next()) {
					pids.add(r.getInt(1));
				}
			}
			return pids;
		}
	}
}
