package fr.sas.fhir.warmup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code sas.warmup.*}: the server's own searches sent to itself before it reports ready (docs/operations.md). */
@ConfigurationProperties(prefix = "sas.warmup")
public class WarmupProperties {

	/** Warm up before reporting ready. */
	private boolean enabled = true;

	/**
	 * Requests sent (the guide's three searches, the contextual search and a validation, in turn). Unset: 500, or
	 * 100 on a JVM started from an AOT cache, whose training run's method profiles the JIT already has.
	 */
	private Integer requests;

	/** Longest warm-up: the server reports ready then, whatever was sent. */
	private Duration maxTime = Duration.ofSeconds(30);

	/** Longest reading of the stored data into the caches (the slot searches'), before the requests. */
	private Duration preloadMaxTime = Duration.ofSeconds(20);

	/** Requests in flight at once. */
	private int concurrency = 2;

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Integer getRequests() {
		return requests;
	}

	/** The requests to send: as set, or the default for this JVM. */
	int requestsToSend() {
		return requests != null ? requests : AotCache.inUse() ? 100 : 500;
	}

	public void setRequests(Integer requests) {
		this.requests = requests;
	}

	public Duration getMaxTime() {
		return maxTime;
	}

	public void setMaxTime(Duration maxTime) {
		this.maxTime = maxTime;
	}

	public Duration getPreloadMaxTime() {
		return preloadMaxTime;
	}

	public void setPreloadMaxTime(Duration preloadMaxTime) {
		this.preloadMaxTime = preloadMaxTime;
	}

	public int getConcurrency() {
		return concurrency;
	}

	public void setConcurrency(int concurrency) {
		this.concurrency = concurrency;
	}
}
