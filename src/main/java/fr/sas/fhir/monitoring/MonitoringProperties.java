package fr.sas.fhir.monitoring;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code sas.monitoring.*}: the publishers' interfaces watched (meters, anomaly rules, alerts and their notification).
 *
 * @param enabled the meters of the publishers' calls, the rules, the alerts, the notices
 * @param evaluateEvery how often the rules are evaluated (on one node at a time)
 * @param flushEvery how often a node adds its calls' figures to the shared per-minute table
 * @param window the window of the rate rules (error rate, p95, invalid answers)
 * @param minimumCalls fewest calls in the window before a rate rule may hold
 * @param unreachableFor an endpoint failing every call for that long: blocking
 * @param errorRate failed share of the calls over the window: major
 * @param latencyShare p95 over that share of the endpoint's time budget: major (calls are cut at the budget)
 * @param invalidRate share of checked answers refused or with dropped entries: minor
 * @param certificateWarning a server certificate expiring within that: minor
 * @param closeAfter a rule that stopped holding for that long closes its alert
 * @param retention how long the per-minute figures are kept
 * @param suspendAfter a blocking alert open that long suspends the endpoint; 0: never (default)
 * @param webhooks URLs every alert event is POSTed to (JSON)
 * @param mailTo addresses every alert event is e-mailed to (needs {@code spring.mail.host})
 * @param mailFrom the sender of those e-mails
 * @param relay the notices' relay
 * @param pushedWrites the rule on a publisher whose pushed slots stopped arriving
 * @param refusedWrites the rule on a publisher whose pushed slots are mostly refused
 */
@ConfigurationProperties(prefix = "sas.monitoring")
public record MonitoringProperties(
		@DefaultValue("false") boolean enabled,
		@DefaultValue("1m") Duration evaluateEvery,
		@DefaultValue("5s") Duration flushEvery,
		@DefaultValue("15m") Duration window,
		@DefaultValue("5") int minimumCalls,
		@DefaultValue("5m") Duration unreachableFor,
		@DefaultValue("0.25") double errorRate,
		@DefaultValue("0.8") double latencyShare,
		@DefaultValue("0.1") double invalidRate,
		@DefaultValue("30d") Duration certificateWarning,
		@DefaultValue("10m") Duration closeAfter,
		@DefaultValue("2d") Duration retention,
		@DefaultValue("0s") Duration suspendAfter,
		@DefaultValue List<String> webhooks,
		@DefaultValue List<String> mailTo,
		@DefaultValue("sas-fhir-server@localhost") String mailFrom,
		@DefaultValue Relay relay,
		@DefaultValue PushedWrites pushedWrites,
		@DefaultValue RefusedWrites refusedWrites) {

	/**
	 * @param interval how often pending notices are looked for (also after a restart)
	 * @param backoff first wait after a failed delivery, doubled at each failure
	 * @param maxBackoff longest wait
	 * @param timeout one delivery's time-out
	 */
	public record Relay(
			@DefaultValue("5s") Duration interval,
			@DefaultValue("2s") Duration backoff,
			@DefaultValue("10m") Duration maxBackoff,
			@DefaultValue("10s") Duration timeout) {}

	/**
	 * A publisher is regular when it wrote slots in at least {@code regularHours} of the {@code lookbackHours} clock
	 * hours up to its last slot write; a regular publisher with no slot written for {@code stoppedAfter}: major.
	 *
	 * @param stoppedAfter how long without a slot written before a regular publisher is alerted on
	 * @param lookbackHours how many hours, up to the last write, regularity is judged on
	 * @param regularHours how many of those hours must have had a slot written
	 */
	public record PushedWrites(
			@DefaultValue("2h") Duration stoppedAfter,
			@DefaultValue("24") int lookbackHours,
			@DefaultValue("18") int regularHours) {}

	/**
	 * A publisher whose slot writes (accepted and refused) over the clock hours the last {@code window} touches
	 * number at least {@code minimumWrites}, of which a share of at least {@code rate} refused: major.
	 *
	 * @param window how far back the writes are read (rounded down to the clock hour)
	 * @param minimumWrites fewest slot writes, accepted or refused, before the rule may hold
	 * @param rate refused share of those writes
	 */
	public record RefusedWrites(
			@DefaultValue("1h") Duration window,
			@DefaultValue("10") int minimumWrites,
			@DefaultValue("0.5") double rate) {}
}
