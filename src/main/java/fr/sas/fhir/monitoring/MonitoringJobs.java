package fr.sas.fhir.monitoring;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** The monitoring's background work on one thread: flushing this node's figures and writes, the rules' turn, the notices. */
class MonitoringJobs implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(MonitoringJobs.class);

	private final CallWindow window;
	private final PushedWrites writes;
	private final RefusedWrites refusals;
	private final RuleEvaluation evaluation;
	private final NoticeRelay relay;
	private final MonitoringProperties properties;
	private ScheduledThreadPoolExecutor executor;
	private volatile boolean running;

	MonitoringJobs(CallWindow window, PushedWrites writes, RefusedWrites refusals, RuleEvaluation evaluation, NoticeRelay relay,
			MonitoringProperties properties) {
		this.window = window;
		this.writes = writes;
		this.refusals = refusals;
		this.evaluation = evaluation;
		this.relay = relay;
		this.properties = properties;
	}

	@Override
	public void start() {
		executor = new ScheduledThreadPoolExecutor(1, r -> {
			Thread thread = new Thread(r, "monitoring");
			thread.setDaemon(true);
			return thread;
		});
		executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
		every(properties.flushEvery().toMillis(), window::flush);
		every(properties.flushEvery().toMillis(), writes::flush);
		every(properties.flushEvery().toMillis(), refusals::flush);
		every(properties.evaluateEvery().toMillis(), evaluation::run);
		every(properties.relay().interval().toMillis(), relay::run);
		running = true;
	}

	private void every(long millis, Runnable job) {
		executor.scheduleWithFixedDelay(() -> {
			try {
				job.run();
			} catch (RuntimeException e) {
				LOG.warn("monitoring job failed", e);
			}
		}, millis, millis, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		running = false;
		executor.shutdown();
		try {
			executor.awaitTermination(10, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		try {
			window.flush(); // this node's last figures
			writes.flush();
			refusals.flush();
		} catch (RuntimeException closing) {
			LOG.debug("last figures not flushed", closing);
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}
}
