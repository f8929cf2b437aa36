package fr.sas.fhir.publishers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code sas.publishers.*}: the registry of publishers' endpoints and the one client that calls them (the aggregator,
 * the monitoring's probes and the connected acceptance share it).
 */
@ConfigurationProperties(prefix = "sas.publishers")
public class PublishersProperties {

	/** Time budget of one call when the Endpoint gives none (the guide's annex: 7 s). */
	private Duration defaultTimeBudget = Duration.ofSeconds(7);
	/** Longest time budget an Endpoint may give. */
	private Duration maxTimeBudget = Duration.ofSeconds(30);
	/** How long opening a connection may take (within the call's budget). */
	private Duration connectTimeout = Duration.ofSeconds(3);
	/** Most calls in flight to one endpoint; more are refused at once (bulkhead), not queued. */
	private int maxConcurrentCalls = 16;
	/** Largest answer read from an endpoint; a longer one is an error of that endpoint. */
	private DataSize maxAnswerSize = DataSize.ofMegabytes(20);
	/** Threads that complete the calls (never one per call). */
	private int clientThreads = 4;
	/** Hosts an endpoint may be called on over plain http (trials, stand-ins); every other host: https only. */
	private List<String> plainHttpHosts = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1", "[::1]"));
	/** An https endpoint must name the client certificate it is presented (mutual TLS, IGC-Santé). */
	private boolean requireClientCertificate = false;
	/** The key store holding the client certificates, by alias (PKCS12 or JKS). */
	private String keyStore = "";
	private String keyStorePassword = "";
	private String keyStoreType = "PKCS12";
	/** The authorities trusted for the publishers' server certificates; empty: the JVM's trust store. */
	private String trustStore = "";
	private String trustStorePassword = "";
	private String trustStoreType = "PKCS12";
	private final CircuitBreaker circuitBreaker = new CircuitBreaker();
	private final Retry retry = new Retry();

	/** Per endpoint: after repeated failures its calls are skipped for a while, then a few probe it again. */
	public static class CircuitBreaker {
		/** Failed share of the recent calls (percent) that opens the breaker. */
		private float failureRateThreshold = 50;
		/** Recent calls the failure rate is computed over. */
		private int slidingWindow = 20;
		/** Fewest calls before the failure rate counts. */
		private int minimumCalls = 5;
		/** How long an open breaker skips the endpoint before probing it. */
		private Duration openDuration = Duration.ofSeconds(30);
		/** Calls let through to probe a half-open breaker. */
		private int probeCalls = 2;

		public float getFailureRateThreshold() {
			return failureRateThreshold;
		}

		public void setFailureRateThreshold(float failureRateThreshold) {
			this.failureRateThreshold = failureRateThreshold;
		}

		public int getSlidingWindow() {
			return slidingWindow;
		}

		public void setSlidingWindow(int slidingWindow) {
			this.slidingWindow = slidingWindow;
		}

		public int getMinimumCalls() {
			return minimumCalls;
		}

		public void setMinimumCalls(int minimumCalls) {
			this.minimumCalls = minimumCalls;
		}

		public Duration getOpenDuration() {
			return openDuration;
		}

		public void setOpenDuration(Duration openDuration) {
			this.openDuration = openDuration;
		}

		public int getProbeCalls() {
			return probeCalls;
		}

		public void setProbeCalls(int probeCalls) {
			this.probeCalls = probeCalls;
		}
	}

	/** Reads are retried when the connection failed before any answer, and only within the call's budget. */
	public static class Retry {
		/** Attempts in all (1: no retry). */
		private int maxAttempts = 2;
		/** Wait before a retry. */
		private Duration wait = Duration.ofMillis(100);

		public int getMaxAttempts() {
			return maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getWait() {
			return wait;
		}

		public void setWait(Duration wait) {
			this.wait = wait;
		}
	}

	public Duration getDefaultTimeBudget() {
		return defaultTimeBudget;
	}

	public void setDefaultTimeBudget(Duration defaultTimeBudget) {
		this.defaultTimeBudget = defaultTimeBudget;
	}

	public Duration getMaxTimeBudget() {
		return maxTimeBudget;
	}

	public void setMaxTimeBudget(Duration maxTimeBudget) {
		this.maxTimeBudget = maxTimeBudget;
	}

	public Duration getConnectTimeout() {
		return connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public int getMaxConcurrentCalls() {
		return maxConcurrentCalls;
	}

	public void setMaxConcurrentCalls(int maxConcurrentCalls) {
		this.maxConcurrentCalls = maxConcurrentCalls;
	}

	public DataSize getMaxAnswerSize() {
		return maxAnswerSize;
	}

	public void setMaxAnswerSize(DataSize maxAnswerSize) {
		this.maxAnswerSize = maxAnswerSize;
	}

	public int getClientThreads() {
		return clientThreads;
	}

	public void setClientThreads(int clientThreads) {
		this.clientThreads = clientThreads;
	}

	public List<String> getPlainHttpHosts() {
		return plainHttpHosts;
	}

	public void setPlainHttpHosts(List<String> plainHttpHosts) {
		this.plainHttpHosts = plainHttpHosts;
	}

	public boolean isRequireClientCertificate() {
		return requireClientCertificate;
	}

	public void setRequireClientCertificate(boolean requireClientCertificate) {
		this.requireClientCertificate = requireClientCertificate;
	}

	public String getKeyStore() {
		return keyStore;
	}

	public void setKeyStore(String keyStore) {
		this.keyStore = keyStore;
	}

	public String getKeyStorePassword() {
		return keyStorePassword;
	}

	public void setKeyStorePassword(String keyStorePassword) {
		this.keyStorePassword = keyStorePassword;
	}

	public String getKeyStoreType() {
		return keyStoreType;
	}

	public void setKeyStoreType(String keyStoreType) {
		this.keyStoreType = keyStoreType;
	}

	public String getTrustStore() {
		return trustStore;
	}

	public void setTrustStore(String trustStore) {
		this.trustStore = trustStore;
	}

	public String getTrustStorePassword() {
		return trustStorePassword;
	}

	public void setTrustStorePassword(String trustStorePassword) {
		this.trustStorePassword = trustStorePassword;
	}

	public String getTrustStoreType() {
		return trustStoreType;
	}

	public void setTrustStoreType(String trustStoreType) {
		this.trustStoreType = trustStoreType;
	}

	public CircuitBreaker getCircuitBreaker() {
		return circuitBreaker;
	}

	public Retry getRetry() {
		return retry;
	}
}
