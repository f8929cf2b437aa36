package fr.sas.fhir.monitoring;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import fr.sas.fhir.common.RuleViolations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The server's own FHIR meters, from HAPI's pointcuts (no feature's code is touched): every request timed by
 * interaction, resource type and operation (the guide's searches are {@code search-type} on Slot or Schedule, the
 * contextual search {@code $contextual-search}; whichever path answers them), writes accepted by type, writes
 * refused by rule code, appointments received.
 */
@Interceptor
public class ServerMeters {

	static final String REQUESTS = "sas.fhir.requests";
	static final String WRITES = "sas.fhir.writes";
	static final String APPOINTMENTS = "sas.appointments.received";
	private static final Set<RestOperationTypeEnum> WRITING = EnumSet.of(RestOperationTypeEnum.CREATE,
			RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE,
			RestOperationTypeEnum.TRANSACTION);

	private final MeterRegistry meters;

	ServerMeters(MeterRegistry meters) {
		this.meters = meters;
	}

	/** Every request, answered by HAPI or by a hook before it (the guide's searches' dedicated path). */
	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void completed(RequestDetails request, ServletRequestDetails servlet) {
		RestOperationTypeEnum type = request.getRestOperationType();
		String status = servlet != null && servlet.getServletResponse() != null
				? Integer.toString(servlet.getServletResponse().getStatus()) : "unknown";
		Timer.builder(REQUESTS).description("FHIR requests, by interaction, resource type, operation and status")
				.tags("interaction", type == null ? "unknown" : type.getCode(),
						"resource", request.getResourceName() == null ? "none" : request.getResourceName(),
						"operation", request.getOperation() == null ? "none" : request.getOperation(),
						"status", status)
				.publishPercentileHistogram()
				.register(meters).record(Duration.ofMillis(request.getRequestStopwatch().getMillis()));
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		String type = resource.fhirType();
		meters.counter(WRITES, "resource", type, "result", "accepted", "rule", "none").increment();
		if ("Appointment".equals(type)) {
			meters.counter(APPOINTMENTS).increment();
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource) {
		meters.counter(WRITES, "resource", resource.fhirType(), "result", "accepted", "rule", "none").increment();
	}

	/** A write refused: by the rule code its OperationOutcome names ({@link RuleViolations}), else by status. */
	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean refused(RequestDetails request, BaseServerResponseException exception) {
		if (request.getRestOperationType() != null && WRITING.contains(request.getRestOperationType())) {
			meters.counter(WRITES, "resource", request.getResourceName() == null ? "none" : request.getResourceName(),
					"result", "refused", "rule", rule(exception)).increment();
		}
		return true;
	}

	static String rule(BaseServerResponseException exception) {
		return rule(exception.getOperationOutcome(), exception.getStatusCode());
	}

	/** The rule code {@code outcome} names (the neutral {@code common.RuleViolations} coding), else {@code http-<status>}. */
	static String rule(IBaseResource outcome, int status) {
		if (outcome instanceof OperationOutcome issues) {
			for (OperationOutcome.OperationOutcomeIssueComponent issue : issues.getIssue()) {
				for (Coding coding : issue.getDetails().getCoding()) {
					if (RuleViolations.RULE_SYSTEM.equals(coding.getSystem()) && coding.hasCode()) {
						return coding.getCode();
					}
				}
			}
		}
		return "http-" + status;
	}

	static String lower(Enum<?> value) {
		return value.name().toLowerCase(Locale.ROOT);
	}
}
