package fr.sas.fhir.monitoring;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import fr.sas.fhir.common.JobLeases;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublisherRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.IdType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The rules' turn, on one node at a time (the job lease {@code monitoring-rules}): this node's figures flushed, every
 * node's figures read, and per endpoint that calls go to now, per rule: opened when it holds and no alert is open,
 * escalated once past its deadline, closed once it has not held for {@code close-after}. Suspended or inactive
 * endpoints are not judged (no calls, no evidence): their alerts stay as they are; an endpoint removed from the
 * registry has its alerts cancelled.
 */
public class RuleEvaluation {

	static final String JOB = "monitoring-rules";
	private static final Logger LOG = LoggerFactory.getLogger(RuleEvaluation.class);

	private final CallWindow window;
	private final PushedWrites writes;
	private final RefusedWrites refusals;
	private final MostlyRefusedWrites mostlyRefused;
	private final AlertRules rules;
	private final StoppedWrites stoppedWrites;
	private final Alerts alerts;
	private final PublisherRegistry registry;
	private final JobLeases leases;
	private final MonitoringProperties properties;
	private final Clock clock;
	private final DaoRegistry daos;

	RuleEvaluation(CallWindow window, PushedWrites writes, RefusedWrites refusals, Alerts alerts, PublisherRegistry registry,
			JobLeases leases, MonitoringProperties properties, Clock clock, DaoRegistry daos) {
		this.window = window;
		this.writes = writes;
		this.refusals = refusals;
		this.mostlyRefused = new MostlyRefusedWrites(properties.refusedWrites());
		this.rules = new AlertRules(properties);
		this.stoppedWrites = new StoppedWrites(properties.pushedWrites());
		this.alerts = alerts;
		this.registry = registry;
		this.leases = leases;
		this.properties = properties;
		this.clock = clock;
		this.daos = daos;
	}

	/** The scheduled turn: false when another node holds the lease. */
	public boolean run() {
		window.flush();
		writes.flush();
		refusals.flush();
		return leases.runAlone(JOB, properties.evaluateEvery().multipliedBy(2), this::evaluate);
	}

	synchronized void evaluate() {
		Instant now = clock.instant();
		window.flush();
		writes.flush();
		refusals.flush();
		Map<String, List<CallMinute>> rows = window.since(now.minus(rules.lookback())).stream()
				.collect(Collectors.groupingBy(CallMinute::getEndpoint));
		Instant writesFrom = now.minus(stoppedWrites.lookback());
		if (mostlyRefused.from(now).isBefore(writesFrom)) {
			writesFrom = mostlyRefused.from(now);
		}
		Map<String, List<WriteHour>> written = writes.since(writesFrom).stream()
				.collect(Collectors.groupingBy(WriteHour::getPublisher));
		Map<String, List<RefusedWriteHour>> refused = refusals.since(writesFrom).stream()
				.collect(Collectors.groupingBy(RefusedWriteHour::getPublisher));
		Map<String, Map<AlertRule, AlertRecord>> open = new HashMap<>();
		for (AlertRecord alert : alerts.open()) {
			open.computeIfAbsent(alert.getEndpoint(), e -> new HashMap<>()).put(alert.rule(), alert);
		}
		List<PublisherEndpoint> endpoints = registry.all();
		for (PublisherEndpoint endpoint : endpoints) {
			Map<AlertRule, AlertRecord> itsAlerts = open.getOrDefault(endpoint.id(), Map.of());
			if (!endpoint.callable(now)) {
				continue;
			}
			Map<AlertRule, List<String>> holding = rules.holding(endpoint, rows.getOrDefault(endpoint.id(), List.of()), now,
					alerts.lastUnreachable(endpoint.id()).map(a -> a.getClearSince() == null && a.open() ? now.plusSeconds(60)
							: a.getClearSince() != null ? a.getClearSince() : a.getClosedAt()).orElse(null));
			java.util.Optional<String> publisher = StoppedWrites.publisherOf(endpoint);
			if (publisher.isPresent()) {
				List<WriteHour> itsWrites = written.getOrDefault(publisher.get(), List.of());
				List<RefusedWriteHour> itsRefusals = refused.getOrDefault(publisher.get(), List.of());
				stoppedWrites.holding(itsWrites, now, itsAlerts.containsKey(AlertRule.WRITES_STOPPED))
						.map(e -> StoppedWrites.withRefusals(e, itsWrites, itsRefusals, now))
						.ifPresent(e -> holding.put(AlertRule.WRITES_STOPPED, e));
				mostlyRefused.holding(itsWrites, itsRefusals, now).ifPresent(e -> holding.put(AlertRule.WRITES_REFUSED, e));
			}
			for (AlertRule rule : AlertRule.values()) {
				AlertRecord alert = itsAlerts.get(rule);
				try {
					if (holding.containsKey(rule) && alert == null) {
						AlertRecord opened = alerts.open(endpoint, rule, holding.get(rule));
						LOG.warn("{} alert {} opened on endpoint {}: {}", rule.severity().code(), opened.getIssueId(), endpoint.id(),
								holding.get(rule).get(0));
					} else if (holding.containsKey(rule)) {
						alerts.held(alert);
						suspendIfDue(alert, now);
					} else if (alert != null) {
						alerts.cleared(alert);
					}
				} catch (DataIntegrityViolationException already) {
					LOG.info("alert {} of {} already open", rule.code(), endpoint.id());
				}
			}
		}
		for (Map.Entry<String, Map<AlertRule, AlertRecord>> e : open.entrySet()) {
			if (endpoints.stream().noneMatch(p -> p.id().equals(e.getKey()))) {
				e.getValue().values().forEach(a -> alerts.cancel(a, "le point d'accès a quitté l'annuaire"));
			}
		}
		window.purge(now.minus(properties.retention()));
		writes.purge(now.minus(properties.retention()));
		refusals.purge(now.minus(properties.retention()));
	}

	private void suspendIfDue(AlertRecord alert, Instant now) {
		if (properties.suspendAfter().isZero() || alert.rule().severity() != Severity.BLOCKING || alert.getSuspendedAt() != null
				|| now.isBefore(alert.getOpenedAt().plus(properties.suspendAfter()))) {
			return;
		}
		Endpoint endpoint = (Endpoint) daos.getResourceDao("Endpoint").read(new IdType("Endpoint", alert.getEndpoint()),
				new SystemRequestDetails());
		if (endpoint.getStatus() == Endpoint.EndpointStatus.ACTIVE) {
			alerts.suspend(alert, endpoint);
			LOG.warn("endpoint {} suspended: blocking alert {} open since {}", alert.getEndpoint(), alert.getIssueId(), alert.getOpenedAt());
		}
	}
}
