package fr.sas.fhir.postgres;

import fr.sas.fhir.common.JobLeases;
import fr.sas.fhir.postgres.TableStatistics.Table;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Keeps the planner statistics of the server's tables current, whether PostgreSQL's autovacuum is on or not (it is
 * off on some managed or tuned databases, and after a bulk load its thresholds lag behind the first searches):
 * every {@code check-every}, on one node (lease {@code postgres-statistics}), a table whose rows changed since its
 * last ANALYZE by {@code changed-share} % and {@code min-changed-rows} is analyzed, vacuumed too when as many rows
 * were inserted since its last VACUUM (the visibility map HAPI's index-only scans need). Its state is shown in
 * {@code /actuator/health} ({@code postgresStatistics}).
 */
class StatisticsKeeper implements HealthIndicator {

	private static final Logger LOG = LoggerFactory.getLogger(StatisticsKeeper.class);
	private static final String LEASE = "postgres-statistics";

	private final TableStatistics statistics;
	private final StatisticsProperties properties;
	private final JobLeases leases;
	private final Clock clock;
	private final AtomicReference<String> last = new AtomicReference<>("none yet");
	/** PostgreSQL's autovacuum setting as last read (at start, then at each check): the health call reads no database. */
	private volatile Object autovacuum = "not read yet";

	StatisticsKeeper(TableStatistics statistics, StatisticsProperties properties, JobLeases leases, Clock clock) {
		this.statistics = statistics;
		this.properties = properties;
		this.leases = leases;
		this.clock = clock;
	}

	@Scheduled(initialDelayString = "${sas.postgres.statistics.check-every:PT5M}",
			fixedDelayString = "${sas.postgres.statistics.check-every:PT5M}")
	public void run() {
		Duration lease = properties.getCheckEvery().plusMinutes(10);
		if (!leases.runAlone(LEASE, lease, this::refreshStale)) {
			LOG.debug("PostgreSQL statistics skipped: another node holds their lease");
		}
	}

	/**
	 * Vacuums and analyzes the tables with many rows inserted since their last VACUUM (a bulk load, even analyzed
	 * since), analyzes those with many rows changed since their last ANALYZE; returns their names.
	 */
	List<String> refreshStale() {
		List<String> refreshed = new ArrayList<>();
		try {
			autovacuum = statistics.autovacuum();
			for (Table table : statistics.tables()) {
				long threshold = Math.max(properties.getMinChangedRows(), table.rows() * properties.getChangedShare() / 100);
				boolean vacuum = table.insertedSinceVacuum() >= threshold;
				if (!vacuum && table.changedSinceAnalyze() < threshold) {
					continue;
				}
				long started = System.nanoTime();
				statistics.refresh(table.name(), vacuum);
				LOG.info("PostgreSQL: {} {} ({} rows, {} changed since its statistics, {} inserted since its last vacuum) in {} ms",
						vacuum ? "vacuumed and analyzed" : "analyzed", table.name(), table.rows(), table.changedSinceAnalyze(),
						table.insertedSinceVacuum(),
						Duration.ofNanos(System.nanoTime() - started).toMillis());
				refreshed.add(table.name());
			}
		} catch (SQLException | RuntimeException e) {
			LOG.warn("PostgreSQL statistics: {}", e.toString());
		}
		if (!refreshed.isEmpty()) {
			last.set(Instant.now(clock) + ": " + String.join(", ", refreshed));
		}
		return refreshed;
	}

	/** Logged once at start: with autovacuum off, this keeper is what keeps the searches' plans right. */
	void reportAutovacuum() {
		try {
			boolean on = statistics.autovacuum();
			autovacuum = on;
			if (!on) {
				LOG.warn("PostgreSQL's autovacuum is off: the server analyzes and vacuums its tables itself"
						+ " (sas.postgres.statistics.*); dead rows of other tables are not reclaimed");
			}
		} catch (SQLException | RuntimeException e) {
			LOG.warn("PostgreSQL autovacuum setting not read: {}", e.toString());
		}
	}

	@Override
	public Health health() {
		return Health.up().withDetail("autovacuum", autovacuum).withDetail("lastRefresh", last.get()).build();
	}
}
