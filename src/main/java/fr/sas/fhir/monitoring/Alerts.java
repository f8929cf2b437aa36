package fr.sas.fhir.monitoring;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.sas.fhir.publishers.PublisherEndpoint;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Alerts: each one a {@code DetectedIssue} of profile {@code sas-interface-alert} stored through HAPI, its state in
 * {@link AlertRecord}, and every event (opened, escalated, suspended, closed, acknowledged) recorded as notices in the
 * same transaction, so an event is told if and only if it happened.
 */
public class Alerts {

	public static final String BASE = "https://sas-fhir-server.example/fhir/StructureDefinition/";
	public static final String PROFILE = BASE + "sas-interface-alert";
	public static final String DEADLINE = BASE + "sas-alert-sla-deadline";
	public static final String CLOSED = BASE + "sas-alert-closed";
	public static final String ESCALATED = BASE + "sas-alert-escalated";
	public static final String SUSPENDED = BASE + "sas-alert-suspended";
	static final String ACKNOWLEDGED = "acknowledged";

	private final DaoRegistry daos;
	private final MonitoringProperties properties;
	private final Clock clock;
	private final ObjectMapper json;
	private final TransactionTemplate ownTransaction;

	@PersistenceContext
	private EntityManager entityManager;

	Alerts(DaoRegistry daos, MonitoringProperties properties, Clock clock, ObjectMapper json, PlatformTransactionManager transactions) {
		this.daos = daos;
		this.properties = properties;
		this.clock = clock;
		this.json = json;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	@SuppressWarnings("unchecked")
	private IFhirResourceDao<DetectedIssue> issues() {
		return daos.getResourceDao("DetectedIssue");
	}

	List<AlertRecord> open() {
		return entityManager.createQuery("select a from AlertRecord a where a.closedAt is null order by a.openedAt", AlertRecord.class)
				.getResultList();
	}

	List<AlertRecord> ofEndpoint(String endpoint, Instant closedSince) {
		return entityManager.createQuery("select a from AlertRecord a where a.endpoint = :e and (a.closedAt is null or a.closedAt >= :since) "
				+ "order by a.openedAt", AlertRecord.class).setParameter("e", endpoint).setParameter("since", closedSince).getResultList();
	}

	/** The endpoint's latest unreachable alert, open or closed. */
	Optional<AlertRecord> lastUnreachable(String endpoint) {
		return entityManager.createQuery("select a from AlertRecord a where a.endpoint = :e and a.rule = :r order by a.openedAt desc",
				AlertRecord.class).setParameter("e", endpoint).setParameter("r", AlertRule.UNREACHABLE.code()).setMaxResults(1)
				.getResultList().stream().findFirst();
	}

	Optional<AlertRecord> byIssue(String issueId) {
		return Optional.ofNullable(entityManager.find(AlertRecord.class, issueId));
	}

	DetectedIssue read(String issueId) {
		return issues().read(new IdType("DetectedIssue", issueId), new SystemRequestDetails());
	}

	/** Opens an alert: its DetectedIssue, its record, its notices, together. */
	AlertRecord open(PublisherEndpoint endpoint, AlertRule rule, List<String> evidence) {
		Instant now = clock.instant();
		return ownTransaction.execute(tx -> {
			String id = "alert-" + UUID.randomUUID();
			AlertRecord record = new AlertRecord(id, endpoint.id(), rule, now, rule.severity().deadline(now));
			entityManager.persist(record);
			entityManager.flush(); // the unique open key: a second open alert of the endpoint and rule fails here
			DetectedIssue issue = new DetectedIssue();
			issue.setId(id);
			issue.getMeta().addProfile(PROFILE);
			issue.setStatus(DetectedIssue.DetectedIssueStatus.PRELIMINARY);
			issue.setCode(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(AlertRule.SYSTEM, rule.code(), rule.display())));
			issue.setSeverity(rule.severity().fhir());
			issue.addImplicated(new Reference("Endpoint/" + endpoint.id()).setDisplay(endpoint.name()));
			issue.setIdentified(new DateTimeType(Date.from(now)));
			issue.setDetail("anomalie " + rule.severity().label() + " (" + rule.label() + ") du point d'accès "
					+ endpoint.id() + " (" + endpoint.name() + ", " + endpoint.address() + ") : " + evidence.get(0));
			for (String line : evidence) {
				issue.addEvidence().addCode(new CodeableConcept().setText(line));
			}
			issue.addExtension(DEADLINE, new DateTimeType(Date.from(record.getDeadline())));
			issues().update(issue, new SystemRequestDetails());
			notify(record, issue, "opened", now);
			return record;
		});
	}

	/** Still holding: nothing to tell, unless the deadline passed (escalated, once). */
	void held(AlertRecord alert) {
		Instant now = clock.instant();
		ownTransaction.executeWithoutResult(tx -> {
			AlertRecord record = entityManager.find(AlertRecord.class, alert.getIssueId());
			record.held(now);
			if (record.getEscalatedAt() == null && now.isAfter(record.getDeadline())) {
				record.escalated(now);
				DetectedIssue issue = read(record.getIssueId());
				issue.addExtension(ESCALATED, new DateTimeType(Date.from(now)));
				issues().update(issue, new SystemRequestDetails());
				notify(record, issue, "escalated", now);
			}
		});
	}

	/** The rule stopped holding: closed once it has not held for {@code close-after}. */
	void cleared(AlertRecord alert) {
		Instant now = clock.instant();
		ownTransaction.executeWithoutResult(tx -> {
			AlertRecord record = entityManager.find(AlertRecord.class, alert.getIssueId());
			record.clear(now);
			if (!now.isBefore(record.getClearSince().plus(properties.closeAfter()))) {
				close(record, DetectedIssue.DetectedIssueStatus.FINAL, now, "la règle ne tient plus depuis " + record.getClearSince());
			}
		});
	}

	/** The endpoint is gone from the registry: its alerts end, cancelled. */
	void cancel(AlertRecord alert, String why) {
		Instant now = clock.instant();
		ownTransaction.executeWithoutResult(tx -> close(entityManager.find(AlertRecord.class, alert.getIssueId()),
				DetectedIssue.DetectedIssueStatus.CANCELLED, now, why));
	}

	private void close(AlertRecord record, DetectedIssue.DetectedIssueStatus status, Instant now, String why) {
		record.closed(now);
		DetectedIssue issue = read(record.getIssueId());
		issue.setStatus(status);
		issue.addExtension(CLOSED, new DateTimeType(Date.from(now)));
		issue.addMitigation().setAction(new CodeableConcept().setText("close : " + why)).setDateElement(new DateTimeType(Date.from(now)));
		issues().update(issue, new SystemRequestDetails());
		notify(record, issue, "closed", now);
	}

	/** A blocking alert open too long: the endpoint suspended (its normal write path), recorded and told. */
	void suspend(AlertRecord alert, Endpoint endpoint) {
		Instant now = clock.instant();
		ownTransaction.executeWithoutResult(tx -> {
			AlertRecord record = entityManager.find(AlertRecord.class, alert.getIssueId());
			endpoint.setStatus(Endpoint.EndpointStatus.SUSPENDED);
			daos.getResourceDao("Endpoint").update(endpoint, new SystemRequestDetails());
			record.suspended(now);
			DetectedIssue issue = read(record.getIssueId());
			issue.addExtension(SUSPENDED, new DateTimeType(Date.from(now)));
			issue.addMitigation().setAction(new CodeableConcept().setText("point d'accès suspendu automatiquement après "
					+ properties.suspendAfter() + " d'anomalie bloquante")).setDateElement(new DateTimeType(Date.from(now)));
			issues().update(issue, new SystemRequestDetails());
			notify(record, issue, "suspended", now);
		});
	}

	/** An operator's acknowledgement: a mitigation entry; the alert stays open until the rule stops holding. */
	DetectedIssue acknowledge(String issueId, String by, String note) {
		Instant now = clock.instant();
		return ownTransaction.execute(tx -> {
			AlertRecord record = entityManager.find(AlertRecord.class, issueId);
			DetectedIssue issue = read(issueId);
			var mitigation = issue.addMitigation().setAction(new CodeableConcept()
					.addCoding(new org.hl7.fhir.r4.model.Coding(AlertRule.SYSTEM, ACKNOWLEDGED, "Acknowledged by an operator"))
					.setText(note == null || note.isBlank() ? "acquittée" : "acquittée : " + note))
					.setDateElement(new DateTimeType(Date.from(now)));
			if (by != null) {
				mitigation.setAuthor(new Reference().setDisplay(by));
			}
			issues().update(issue, new SystemRequestDetails());
			if (record != null) {
				notify(record, issue, ACKNOWLEDGED, now);
			}
			return read(issueId);
		});
	}

	private void notify(AlertRecord record, DetectedIssue issue, String event, Instant now) {
		String payload = payload(record, issue, event, now);
		for (String url : properties.webhooks()) {
			entityManager.persist(new Notice(record.getIssueId(), event, "webhook", url, payload, now));
		}
		if (!properties.mailTo().isEmpty()) {
			entityManager.persist(new Notice(record.getIssueId(), event, "mail", String.join(",", properties.mailTo()), payload, now));
		}
	}

	private String payload(AlertRecord record, DetectedIssue issue, String event, Instant now) {
		ObjectNode body = json.createObjectNode();
		body.put("event", event);
		body.put("at", now.toString());
		body.put("alert", "DetectedIssue/" + record.getIssueId());
		body.put("endpoint", "Endpoint/" + record.getEndpoint());
		body.put("endpointName", issue.getImplicatedFirstRep().getDisplay());
		body.put("rule", record.rule().code());
		body.put("severity", record.rule().severity().code());
		body.put("status", issue.getStatus().toCode());
		body.put("opened", record.getOpenedAt().toString());
		body.put("deadline", record.getDeadline().toString());
		if (record.getClosedAt() != null) {
			body.put("closed", record.getClosedAt().toString());
		}
		body.put("detail", issue.getDetail());
		var evidence = body.putArray("evidence");
		issue.getEvidence().forEach(e -> evidence.add(e.getCodeFirstRep().getText()));
		return body.toString();
	}
}
