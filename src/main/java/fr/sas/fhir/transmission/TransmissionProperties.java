package fr.sas.fhir.transmission;

import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code sas.transmission.*}: appointments to the LRMs through the Hub Santé (INT_L02). The connection itself is
 * Spring Boot's {@code spring.rabbitmq.*} (host, port, credentials, virtual host, {@code ssl.*}); every key is in
 * the README.
 */
@ConfigurationProperties(prefix = "sas.transmission")
public class TransmissionProperties {

	/** Record and send the messages. Off by default: nothing is recorded, no connection is made. */
	private boolean enabled = false;
	/** This platform's Hub client id: {@code fr.health.ptfsas} in production, {@code fr.health.test.ptfsas} outside. */
	private String sender = "fr.health.ptfsas";
	/** The exchange the Hub reads its clients' messages from. Empty: the broker's default exchange. */
	private String exchange = "hubsante";
	/**
	 * The routing key of each message; {@code {sender}} and {@code {recipient}} are replaced. The Hub routes by the
	 * envelope, so the key is the sender's id; {@code {recipient}.message} with the default exchange delivers
	 * straight into the LRM's queue, for a trial without a Hub.
	 */
	private String routingKey = "{sender}";
	/** The queue of final acknowledgements (RC-REF). */
	private String ackQueue = "{sender}.ack";
	/** The queue of errors and information (RS-ERROR). */
	private String infoQueue = "{sender}.info";
	/** Declare the ack and info queues (a trial broker); the Hub declares its own. */
	private boolean declareQueues = false;
	/** Authenticate with the client certificate of {@code spring.rabbitmq.ssl.*} (SASL EXTERNAL) instead of a password. */
	private boolean saslExternal = false;
	/** {@code distributionStatus}: {@code Actual}, or {@code Exercise} for an exercise. */
	private String distributionStatus = "Actual";
	/** How long after it is recorded a message may still be delivered ({@code dateTimeExpires}). */
	private Duration expiresAfter = Duration.ofHours(24);
	/** The time zone of the dates sent (the Hub wants an offset, never {@code Z}). */
	private ZoneId zone = ZoneId.of("Europe/Paris");
	/** Département (INSEE code: 01..95, 2A, 2B, 971..976) to the SAMU's Hub client id, e.g. {@code 35: fr.health.samu350}. */
	private Map<String, String> routes = new LinkedHashMap<>();
	private final Relay relay = new Relay();

	public static class Relay {
		/** How often the relay looks for messages to send when nothing woke it. */
		private Duration interval = Duration.ofSeconds(2);
		/** Most messages published per round (one publisher-confirm wait per round). */
		private int batchSize = 200;
		/** How long the broker has to confirm a round's messages. */
		private Duration confirmTimeout = Duration.ofSeconds(10);
		/**
		 * First wait after a failed round; doubled at each failure up to {@code max-backoff} (also the consumers'
		 * reconnection ceiling). A new connection to the broker ends the wait.
		 */
		private Duration backoff = Duration.ofSeconds(1);
		private Duration maxBackoff = Duration.ofSeconds(30);
		/**
		 * While the relay waits after a failed round, how often it tries to open a connection to the broker: the
		 * first that opens ends the wait, so messages leave as soon as the broker is back.
		 */
		private Duration reconnectProbe = Duration.ofMillis(200);

		public Duration getReconnectProbe() {
			return reconnectProbe;
		}

		public void setReconnectProbe(Duration reconnectProbe) {
			this.reconnectProbe = reconnectProbe;
		}

		public Duration getInterval() {
			return interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public int getBatchSize() {
			return batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

		public Duration getConfirmTimeout() {
			return confirmTimeout;
		}

		public void setConfirmTimeout(Duration confirmTimeout) {
			this.confirmTimeout = confirmTimeout;
		}

		public Duration getBackoff() {
			return backoff;
		}

		public void setBackoff(Duration backoff) {
			this.backoff = backoff;
		}

		public Duration getMaxBackoff() {
			return maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}
	}

	/** {@code {sender}} and {@code {recipient}} of a configured name, replaced. */
	String expand(String template, String recipient) {
		return template.replace("{sender}", sender).replace("{recipient}", recipient == null ? "" : recipient);
	}

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getSender() {
		return sender;
	}

	public void setSender(String sender) {
		this.sender = sender;
	}

	public String getExchange() {
		return exchange;
	}

	public void setExchange(String exchange) {
		this.exchange = exchange;
	}

	public String getRoutingKey() {
		return routingKey;
	}

	public void setRoutingKey(String routingKey) {
		this.routingKey = routingKey;
	}

	public String getAckQueue() {
		return ackQueue;
	}

	public void setAckQueue(String ackQueue) {
		this.ackQueue = ackQueue;
	}

	public String getInfoQueue() {
		return infoQueue;
	}

	public void setInfoQueue(String infoQueue) {
		this.infoQueue = infoQueue;
	}

	public boolean isDeclareQueues() {
		return declareQueues;
	}

	public void setDeclareQueues(boolean declareQueues) {
		this.declareQueues = declareQueues;
	}

	public boolean isSaslExternal() {
		return saslExternal;
	}

	public void setSaslExternal(boolean saslExternal) {
		this.saslExternal = saslExternal;
	}

	public String getDistributionStatus() {
		return distributionStatus;
	}

	public void setDistributionStatus(String distributionStatus) {
		this.distributionStatus = distributionStatus;
	}

	public Duration getExpiresAfter() {
		return expiresAfter;
	}

	public void setExpiresAfter(Duration expiresAfter) {
		this.expiresAfter = expiresAfter;
	}

	public ZoneId getZone() {
		return zone;
	}

	public void setZone(ZoneId zone) {
		this.zone = zone;
	}

	public Map<String, String> getRoutes() {
		return routes;
	}

	public void setRoutes(Map<String, String> routes) {
		this.routes = routes;
	}

	public Relay getRelay() {
		return relay;
	}
}
