package fr.sas.fhir.embedded;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Keeps the embedded default's H2 file proportional to its data, with no step for the operator. A bulk load (or
 * the daily deletion of past slots) leaves the MVStore file mostly made of stale chunks: 12.6 GB for 2.5 GB of
 * data after the national load, and H2's own background writer then spends a core for a long while shrinking it
 * in small bites. Every {@code check-every}, a file whose live data take less than {@code below-live-share} % of
 * it is compacted online, a step of {@code step} at a time with pauses as long between, until they take
 * {@code until-live-share} %; at a graceful shutdown, compaction gets {@code shutdown-time} more. Its state is
 * shown in {@code /actuator/health} ({@code h2File}).
 */
class H2FileCompaction implements HealthIndicator, DisposableBean {

	private static final Logger LOG = LoggerFactory.getLogger(H2FileCompaction.class);
	private static final long MOVE_BYTES_PER_STEP = 64L * 1024 * 1024;

	private final H2File file;
	private final CompactionProperties properties;
	private final ScheduledExecutorService executor;
	private final AtomicReference<String> last = new AtomicReference<>("none yet");
	private volatile boolean running = true;

	H2FileCompaction(H2File file, CompactionProperties properties) {
		this.file = file;
		this.properties = properties;
		this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "h2-file-compaction");
			thread.setDaemon(true);
			return thread;
		});
		long every = properties.getCheckEvery().toMillis();
		executor.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
	}

	/** Compacts the file if it is worth it; runs on the compaction thread. */
	void check() {
		try {
			H2File.State state = file.state();
			if (state.size() >= properties.getMinFileSize().toBytes()
					&& state.liveShare() < properties.getBelowLiveShare()) {
				compactWhileServing(state);
			}
		} catch (SQLException | RuntimeException e) {
			if (running) {
				LOG.warn("H2 file compaction: {}", e.toString(), e);
			}
		}
	}

	private void compactWhileServing(H2File.State before) throws SQLException {
		LOG.info("H2 file: {} MB, live data {} % of it: compacting while serving", before.size() >> 20,
				before.liveShare());
		long started = System.nanoTime();
		H2File.State after = compact(before, Long.MAX_VALUE, true);
		String outcome = String.format("%d MB -> %d MB (live data %d %% -> %d %%) in %d s while serving",
				before.size() >> 20, after.size() >> 20, before.liveShare(), after.liveShare(),
				Duration.ofNanos(System.nanoTime() - started).toSeconds());
		last.set(outcome);
		LOG.info("H2 file compacted: {}", outcome);
	}

	/**
	 * Steps of compaction until the live share is reached, H2 has nothing left it can move (three steps that
	 * neither shrink the file nor raise its live share), the deadline ({@link System#nanoTime()}) is passed or,
	 * while serving, the server stops. While serving, and after a step that moved nothing, a pause as long follows.
	 */
	private H2File.State compact(H2File.State before, long deadline, boolean serving) throws SQLException {
		int step = (int) properties.getStep().toMillis();
		H2File.State now = before;
		int idle = 0;
		while (now.liveShare() < properties.getUntilLiveShare() && idle < 3 && (!serving || running)
				&& System.nanoTime() - deadline < 0) {
			file.compact(step, MOVE_BYTES_PER_STEP);
			H2File.State next = file.state();
			idle = next.size() < now.size() || next.liveShare() > now.liveShare() ? 0 : idle + 1;
			now = next;
			// H2 gives a step up after 10 ms when its writer holds the store lock: a step that moved nothing waits
			// its length before the next.
			if (serving || idle > 0) {
				pause(step);
			}
		}
		return now;
	}

	private void pause(int millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			running = false;
		}
	}

	/** At a graceful shutdown, before the pool closes the database: the serving compaction stops, one bounded runs. */
	@Override
	public void destroy() throws InterruptedException {
		running = false;
		executor.shutdown();
		executor.awaitTermination(properties.getStep().toMillis() * 4 + 1000, TimeUnit.MILLISECONDS);
		long allowed = properties.getShutdownTime().toMillis();
		if (allowed <= 0) {
			return;
		}
		try {
			H2File.State before = file.state();
			if (before.liveShare() >= properties.getUntilLiveShare()) {
				return;
			}
			long started = System.nanoTime();
			H2File.State after = compact(before, started + allowed * 1_000_000L, false);
			LOG.info("H2 file compacted at shutdown: {} MB -> {} MB (live data {} % -> {} %) in {} ms",
					before.size() >> 20, after.size() >> 20, before.liveShare(), after.liveShare(),
					Duration.ofNanos(System.nanoTime() - started).toMillis());
		} catch (SQLException | RuntimeException e) {
			LOG.warn("H2 file compaction at shutdown: {}", e.toString(), e);
		}
	}

	@Override
	public Health health() {
		try {
			H2File.State state = file.state();
			return Health.up()
					.withDetail("sizeMB", state.size() >> 20)
					.withDetail("liveSharePercent", state.liveShare())
					.withDetail("lastCompaction", last.get())
					.build();
		} catch (SQLException | RuntimeException e) {
			return Health.unknown().withDetail("error", e.toString()).build();
		}
	}
}
