package fr.sas.fhir.embedded;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code sas.compaction.*}: how the embedded default keeps its H2 file proportional to its data (docs/operations.md).
 * Nothing happens on another database.
 */
@ConfigurationProperties(prefix = "sas.compaction")
public class CompactionProperties {

	/** Compact the H2 file while serving, and at a graceful shutdown. */
	private boolean enabled = true;

	/** How often the file is looked at (its size and the share of it live data take). */
	private Duration checkEvery = Duration.ofMinutes(1);

	/** A file whose live data take less than this percentage of it is compacted... */
	private int belowLiveShare = 50;

	/** ... until they take this percentage of it (or compaction gains nothing more). */
	private int untilLiveShare = 80;

	/** A file smaller than this is never compacted while serving. */
	private DataSize minFileSize = DataSize.ofMegabytes(64);

	/**
	 * Longest step of compaction while serving: H2 holds its store lock (writes to the file wait, reads go on)
	 * for about this long, then compaction pauses as long again.
	 */
	private Duration step = Duration.ofMillis(500);

	/** Time given to compaction at a graceful shutdown (a file already compact takes none); 0: none. */
	private Duration shutdownTime = Duration.ofSeconds(15);

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

	public int getBelowLiveShare() {
		return belowLiveShare;
	}

	public void setBelowLiveShare(int belowLiveShare) {
		this.belowLiveShare = belowLiveShare;
	}

	public int getUntilLiveShare() {
		return untilLiveShare;
	}

	public void setUntilLiveShare(int untilLiveShare) {
		this.untilLiveShare = untilLiveShare;
	}

	public DataSize getMinFileSize() {
		return minFileSize;
	}

	public void setMinFileSize(DataSize minFileSize) {
		this.minFileSize = minFileSize;
	}

	public Duration getStep() {
		return step;
	}

	public void setStep(Duration step) {
		this.step = step;
	}

	public Duration getShutdownTime() {
		return shutdownTime;
	}

	public void setShutdownTime(Duration shutdownTime) {
		this.shutdownTime = shutdownTime;
	}
}
