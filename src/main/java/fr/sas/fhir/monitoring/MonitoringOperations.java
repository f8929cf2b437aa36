package fr.sas.fhir.monitoring;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import fr.sas.fhir.common.FhirOperationProvider;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublisherRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * {@code GET [base]/Endpoint/<id>/$status}: an endpoint's figures over the last hour and day, its breaker, its open
 * alerts (and those closed within the day) with their deadlines, as {@code Parameters}; and
 * {@code POST [base]/DetectedIssue/<id>/$acknowledge}: an operator acknowledges an alert. Administrators only (the
 * role matrix gives these operations to no other role).
 */
public class MonitoringOperations implements FhirOperationProvider {

	private final PublisherRegistry registry;
	private final PublisherClient client;
	private final CallWindow window;
	private final WriteFigures.Reader writes;
	private final Alerts alerts;
	private final DaoRegistry daos;
	private final Clock clock;

	MonitoringOperations(PublisherRegistry registry, PublisherClient client, CallWindow window, WriteFigures.Reader writes,
			Alerts alerts, DaoRegistry daos, Clock clock) {
		this.registry = registry;
		this.client = client;
		this.window = window;
		this.writes = writes;
		this.alerts = alerts;
		this.daos = daos;
		this.clock = clock;
	}

	@Operation(name = "$status", idempotent = true, type = org.hl7.fhir.r4.model.Endpoint.class)
	public Parameters status(@IdParam IdType id, RequestDetails request) {
		daos.getResourceDao("Endpoint").read(id.toUnqualifiedVersionless(), request); // 404 / 410 as HAPI says
		PublisherEndpoint endpoint = registry.byId(id.getIdPart())
				.orElseThrow(() -> new ResourceNotFoundException(id.toUnqualifiedVersionless()));
		Instant now = clock.instant();
		window.flush();
		List<CallMinute> day = window.since(endpoint.id(), now.minus(Duration.ofDays(1)));
		Parameters parameters = new Parameters();
		parameters.addParameter().setName("endpoint").setValue(new Reference("Endpoint/" + endpoint.id()).setDisplay(endpoint.name()));
		parameters.addParameter("status", endpoint.status() == null ? "unknown" : endpoint.status().toCode());
		parameters.addParameter("breaker", client.breakerState(endpoint.id()).toLowerCase());
		parameters.addParameter().setName("at").setValue(new DateTimeType(Date.from(now)));
		Instant hourAgo = now.minus(Duration.ofHours(1));
		figures(parameters, "lastHour", CallWindow.sum(day.stream().filter(r -> !r.getMinute().isBefore(hourAgo)).toList()), endpoint);
		figures(parameters, "lastDay", CallWindow.sum(day), endpoint);
		StoppedWrites.publisherOf(endpoint).ifPresent(publisher -> {
			writeFigures(parameters.getParameter("lastHour"), writes.since(publisher, hourAgo));
			writeFigures(parameters.getParameter("lastDay"), writes.since(publisher, now.minus(Duration.ofDays(1))));
		});
		for (AlertRecord record : alerts.ofEndpoint(endpoint.id(), now.minus(Duration.ofDays(1)))) {
			DetectedIssue issue = alerts.read(record.getIssueId());
			Parameters.ParametersParameterComponent alert = parameters.addParameter().setName("alert");
			alert.addPart().setName("issue").setValue(new Reference("DetectedIssue/" + record.getIssueId()));
			alert.addPart().setName("rule").setValue(new StringType(record.rule().code()));
			alert.addPart().setName("severity").setValue(new StringType(record.rule().severity().code()));
			alert.addPart().setName("status").setValue(new StringType(issue.getStatus().toCode()));
			alert.addPart().setName("opened").setValue(new DateTimeType(Date.from(record.getOpenedAt())));
			alert.addPart().setName("deadline").setValue(new DateTimeType(Date.from(record.getDeadline())));
			if (record.getClosedAt() != null) {
				alert.addPart().setName("closed").setValue(new DateTimeType(Date.from(record.getClosedAt())));
			}
			alert.addPart().setName("acknowledged").setValue(new org.hl7.fhir.r4.model.BooleanType(issue.getMitigation().stream()
					.anyMatch(m -> m.getAction().getCoding().stream().anyMatch(c -> Alerts.ACKNOWLEDGED.equals(c.getCode())))));
			alert.addPart().setName("detail").setValue(new StringType(issue.getDetail()));
		}
		return parameters;
	}

	private static void figures(Parameters parameters, String name, MinuteFigures f, PublisherEndpoint endpoint) {
		Parameters.ParametersParameterComponent p = parameters.addParameter().setName(name);
		p.addPart().setName("calls").setValue(new IntegerType((int) f.calls));
		p.addPart().setName("answered").setValue(new IntegerType((int) f.answered));
		p.addPart().setName("failures").setValue(new IntegerType((int) f.failures));
		p.addPart().setName("timeouts").setValue(new IntegerType((int) f.timeouts));
		p.addPart().setName("httpErrors").setValue(new IntegerType((int) f.httpErrors));
		p.addPart().setName("tlsErrors").setValue(new IntegerType((int) f.tlsErrors));
		p.addPart().setName("notCalled").setValue(new IntegerType((int) f.notCalled));
		p.addPart().setName("errorRate").setValue(new DecimalType(Math.round(f.failureRate() * 1000) / 1000.0));
		p.addPart().setName("meanMs").setValue(new IntegerType((int) f.meanMillis()));
		p.addPart().setName("p95Ms").setValue(new IntegerType((int) f.p95Millis()));
		p.addPart().setName("budgetMs").setValue(new IntegerType((int) endpoint.timeBudget().toMillis()));
		p.addPart().setName("invalidAnswers").setValue(new IntegerType((int) f.invalid));
		p.addPart().setName("droppedEntries").setValue(new IntegerType((int) f.dropped));
		p.addPart().setName("emptyAnswers").setValue(new IntegerType((int) f.empty));
		if (f.certificateNotAfter != null) {
			p.addPart().setName("certificateNotAfter").setValue(new DateTimeType(Date.from(f.certificateNotAfter)));
		}
		if (f.lastError != null) {
			p.addPart().setName("lastError").setValue(new StringType(f.lastError));
		}
	}

	/**
	 * The slot writes of the publisher the endpoint stands for, counted per clock hour: "last hour" reads the clock
	 * hours the last hour touches, "last day" those of the last 24 hours.
	 */
	private static void writeFigures(Parameters.ParametersParameterComponent p, WriteFigures f) {
		p.addPart().setName("slotWritesAccepted").setValue(new IntegerType((int) f.accepted()));
		p.addPart().setName("slotWritesRefused").setValue(new IntegerType((int) f.refused()));
		f.refusedByRule().forEach((rule, count) -> {
			Parameters.ParametersParameterComponent byRule = p.addPart().setName("slotWritesRefusedByRule");
			byRule.addPart().setName("rule").setValue(new StringType(rule));
			byRule.addPart().setName("count").setValue(new IntegerType(count.intValue()));
		});
		if (f.lastRefusal() != null) {
			p.addPart().setName("lastRefusal").setValue(new StringType(f.lastRefusalAt() + " (" + f.lastRefusalRule() + ") " + f.lastRefusal()));
		}
	}

	@Operation(name = "$acknowledge", idempotent = false, type = DetectedIssue.class)
	public DetectedIssue acknowledge(@IdParam IdType id, @OperationParam(name = "note", max = 1) StringType note,
			RequestDetails request) {
		daos.getResourceDao("DetectedIssue").read(id.toUnqualifiedVersionless(), request); // 404 / 410 as HAPI says
		Authentication who = SecurityContextHolder.getContext().getAuthentication();
		return alerts.acknowledge(id.getIdPart(), who == null ? null : who.getName(), note == null ? null : note.getValue());
	}
}
