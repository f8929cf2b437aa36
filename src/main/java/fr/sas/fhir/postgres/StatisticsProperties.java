package fr.sas.fhir.postgres;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code sas.postgres.statistics.*}: how the server keeps PostgreSQL's planner statistics and visibility map of its
 * tables current (docs/search.md, "The analyst's searches"). Nothing happens on another database.
 */
@ConfigurationProperties(prefix = "sas.postgres.statistics")
public class StatisticsProperties {

	/** Refresh the statistics of the tables whose rows changed much since their last ANALYZE. */
	private boolean enabled = true;

	/** How often the tables' counters ({@code pg_stat_user_tables}) are looked at, on one node at a time. */
	private Duration checkEvery = Duration.ofMinutes(5);

	/** A table is analyzed once the rows changed since its last ANALYZE reach this percentage of its rows... */
	private int changedShare = 10;

	/**
	 * ... and at least this many rows. The same thresholds on the rows inserted since its last VACUUM vacuum it (and
	 * analyze it).
	 */
	private long minChangedRows = 10_000;

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getCheckEvery() {
		return checkEvery;
	}

	public void setCheckEvery(Duration checkEvery) {
		this.checkEvery = checkEvery;
	}

	public int getChangedShare() {
		return changedShare;
	}

	public void setChangedShare(int changedShare) {
		this.changedShare = changedShare;
	}

	public long getMinChangedRows() {
		return minChangedRows;
	}

	public void setMinChangedRows(long minChangedRows) {
		this.minChangedRows = minChangedRows;
	}
}
