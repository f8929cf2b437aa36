package fr.sas.fhir.analytics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code sas.analytics.*}: the programme's indicators ($evaluate-measure) and the facts they read. */
@ConfigurationProperties(prefix = "sas.analytics")
public class AnalyticsProperties {

	/** The indicators, their fact tables and the daily aggregate; {@code false} leaves them out. */
	private boolean enabled = true;
	/** Longest period one evaluation may cover ({@code periodStart} to {@code periodEnd}). */
	private Duration maxPeriod = Duration.ofDays(400);
	/** The time zone of a day, a week and a month. */
	private String zone = "Europe/Paris";
	/** How often a node checks for closed days to aggregate. */
	private Duration closeInterval = Duration.ofHours(1);
	/** First check after start. */
	private Duration closeInitialDelay = Duration.ofMinutes(2);
	/**
	 * How often one node folds the months whose slots changed into the slot measures' summaries (a day changed since
	 * is read from its facts: exact, slower).
	 */
	private Duration foldInterval = Duration.ofMinutes(1);
	/** First fold after start. */
	private Duration foldInitialDelay = Duration.ofMinutes(1);

	/**
	 * Derive the facts of the slots, appointments and regulator accounts stored before the facts were written
	 * (analytics turned on over an existing database, an upgrade), once, at the day closing's first turn.
	 */
	private boolean backfill = true;
	/** Resources read per back-fill transaction. */
	private int backfillBatch = 500;

	/** HAPI's bulk data {@code $export} on the FHIR endpoint. */
	private boolean bulkExport = true;
	/** How long an export's files are kept (HAPI deletes them after; whole hours, at least 1). */
	private Duration exportRetention = Duration.ofHours(2);

	public boolean isBackfill() {
		return backfill;
	}

	public void setBackfill(boolean backfill) {
		this.backfill = backfill;
	}

	public int getBackfillBatch() {
		return backfillBatch;
	}

	public void setBackfillBatch(int backfillBatch) {
		this.backfillBatch = backfillBatch;
	}

	public boolean isBulkExport() {
		return bulkExport;
	}

	public void setBulkExport(boolean bulkExport) {
		this.bulkExport = bulkExport;
	}

	public Duration getExportRetention() {
		return exportRetention;
	}

	public void setExportRetention(Duration exportRetention) {
		this.exportRetention = exportRetention;
	}

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getMaxPeriod() {
		return maxPeriod;
	}

	public void setMaxPeriod(Duration maxPeriod) {
		this.maxPeriod = maxPeriod;
	}

	public String getZone() {
		return zone;
	}

	public void setZone(String zone) {
		this.zone = zone;
	}

	public Duration getCloseInterval() {
		return closeInterval;
	}

	public void setCloseInterval(Duration closeInterval) {
		this.closeInterval = closeInterval;
	}

	public Duration getFoldInterval() {
		return foldInterval;
	}

	public void setFoldInterval(Duration foldInterval) {
		this.foldInterval = foldInterval;
	}

	public Duration getFoldInitialDelay() {
		return foldInitialDelay;
	}

	public void setFoldInitialDelay(Duration foldInitialDelay) {
		this.foldInitialDelay = foldInitialDelay;
	}

	public Duration getCloseInitialDelay() {
		return closeInitialDelay;
	}

	public void setCloseInitialDelay(Duration closeInitialDelay) {
		this.closeInitialDelay = closeInitialDelay;
	}
}
