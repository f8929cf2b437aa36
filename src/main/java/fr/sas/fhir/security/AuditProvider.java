package fr.sas.fhir.security;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import fr.sas.fhir.common.FhirOperationProvider;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.stereotype.Component;

/**
 * {@code GET [base]/$audit?who=&since=&until=&status=&_count=}: the audit trail, newest first, as AuditEvent
 * resources built from its records (they are not stored as resources: the trail is an append-only table). Only
 * administrators reach it (the role matrix).
 */
@Component
public class AuditProvider implements FhirOperationProvider {

	private static final String REST = "http://terminology.hl7.org/CodeSystem/audit-event-type";

	@PersistenceContext
	private EntityManager entityManager;
	private final org.springframework.transaction.support.TransactionTemplate readOnly;

	public AuditProvider(org.springframework.transaction.PlatformTransactionManager transactions) {
		this.readOnly = new org.springframework.transaction.support.TransactionTemplate(transactions);
		this.readOnly.setReadOnly(true);
	}

	@Operation(name = "$audit", idempotent = true)
	public Bundle audit(@OperationParam(name = "who") StringType who, @OperationParam(name = "since") StringType since,
			@OperationParam(name = "until") StringType until, @OperationParam(name = "status") IntegerType status,
			@OperationParam(name = "_count") IntegerType count) {
		StringBuilder jpql = new StringBuilder("select a from AuditRecord a where 1 = 1");
		if (who != null) {
			jpql.append(" and a.who = :who");
		}
		if (since != null) {
			jpql.append(" and a.recordedAt >= :since");
		}
		if (until != null) {
			jpql.append(" and a.recordedAt < :until");
		}
		if (status != null) {
			jpql.append(" and a.status = :status");
		}
		TypedQuery<AuditRecord> query = entityManager.createQuery(jpql.append(" order by a.id desc").toString(), AuditRecord.class);
		if (who != null) {
			query.setParameter("who", who.getValue());
		}
		if (since != null) {
			query.setParameter("since", instant(since, "since"));
		}
		if (until != null) {
			query.setParameter("until", instant(until, "until"));
		}
		if (status != null) {
			query.setParameter("status", status.getValue());
		}
		int max = count == null ? 100 : Math.max(1, Math.min(1000, count.getValue()));
		List<AuditRecord> records = readOnly.execute(tx -> query.setMaxResults(max).getResultList());
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		for (AuditRecord record : records) {
			bundle.addEntry().setResource(event(record)).getSearch().setMode(Bundle.SearchEntryMode.MATCH);
		}
		return bundle;
	}

	private static Instant instant(StringType value, String parameter) {
		try {
			return Instant.parse(value.getValue());
		} catch (DateTimeParseException e) {
			throw new InvalidRequestException("SAS-audit: parameter '" + parameter + "' must be an instant (2026-12-01T10:00:00Z)");
		}
	}

	static AuditEvent event(AuditRecord record) {
		AuditEvent event = new AuditEvent();
		event.setId("sas-audit-" + record.getId());
		event.setType(new Coding(REST, "rest", "RESTful Operation"));
		event.addSubtype(new Coding("https://sas-fhir-server.example/audit-interaction", record.getInteraction(), null));
		event.setRecorded(Date.from(record.getRecordedAt()));
		event.setOutcome(record.getStatus() < 400 ? AuditEvent.AuditEventOutcome._0
				: record.getStatus() < 500 ? AuditEvent.AuditEventOutcome._4 : AuditEvent.AuditEventOutcome._8);
		event.setOutcomeDesc(record.getStatus() + (record.getDetail() == null ? "" : " " + record.getDetail()));
		AuditEvent.AuditEventAgentComponent agent = event.addAgent().setRequestor(true);
		agent.getWho().getIdentifier().setSystem("https://sas-fhir-server.example/caller").setValue(record.getWho());
		if (record.getRole() != null) {
			agent.addRole().setText(record.getRole());
		}
		if (record.getAddress() != null) {
			agent.getNetwork().setAddress(record.getAddress()).setType(AuditEvent.AuditEventAgentNetworkType._2);
		}
		event.getSource().setSite("sas-fhir-server").getObserver().setDisplay("sas-fhir-server");
		if (record.getTarget() != null) {
			event.addEntity().setDescription(record.getTarget());
		}
		return event;
	}
}
