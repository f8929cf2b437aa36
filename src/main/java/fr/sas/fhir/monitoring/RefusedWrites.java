package fr.sas.fhir.monitoring;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The slot writes refused to publishers, per publisher, hour and rule code: a request writing slots (on Slot, or a
 * transaction or batch holding some) by a publisher, answered with a 4xx, counts its slots for the rule code its
 * OperationOutcome names (the neutral {@code common.RuleViolations} coding, else {@code http-<status>}), whichever
 * package refused it. Counted in memory on the request's thread, added to this node's rows of
 * {@code SAS_MONITORING_REFUSALS} at each flush, as {@link PushedWrites} does for the accepted ones.
 */
@Interceptor
public class RefusedWrites extends PublisherHourCounts<RefusedWrites.Key, RefusedWrites.Count, RefusedWriteHour> {

	/** The role a publisher's requests carry (security.Role.PUBLISHER's authority; not imported: layers). */
	static final String PUBLISHER_AUTHORITY = "ROLE_PUBLISHER";
	private static final Set<RestOperationTypeEnum> SLOT_WRITES = EnumSet.of(RestOperationTypeEnum.CREATE,
			RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.PATCH);

	record Key(String publisher, Instant hour, String rule) {}

	record Count(long refused, Instant last, String sample) {
		Count plus(Count other) {
			return other.last.isBefore(last) ? new Count(refused + other.refused, last, sample)
					: new Count(refused + other.refused, other.last, other.sample);
		}
	}

	RefusedWrites(Clock clock, String node, MeterRegistry meters, PlatformTransactionManager transactions) {
		super(RefusedWriteHour.class, clock, node, meters, transactions);
	}

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean refused(RequestDetails request, BaseServerResponseException exception) {
		int status = exception.getStatusCode();
		long slots = status >= 400 && status < 500 ? slotsWritten(request) : 0;
		if (slots > 0) {
			publisher().ifPresent(p -> refused(p, ServerMeters.rule(exception), slots, clock.instant(), sample(request, exception)));
		}
		return true;
	}

	/** How many slots the request wrote: 1 on Slot, the Slot entries of a transaction or batch, else 0. */
	static long slotsWritten(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation == null) {
			return 0;
		}
		if (SLOT_WRITES.contains(operation)) {
			return "Slot".equals(request.getResourceName()) ? 1 : 0;
		}
		if ((operation == RestOperationTypeEnum.TRANSACTION || operation == RestOperationTypeEnum.BATCH)
				&& request.getResource() instanceof Bundle bundle) {
			return bundle.getEntry().stream().filter(e -> e.getResource() instanceof Slot).count();
		}
		return 0;
	}

	/** The caller, when it acts as a publisher: its client id, the one its ownership tag names. */
	static Optional<String> publisher() {
		Authentication who = SecurityContextHolder.getContext().getAuthentication();
		if (who == null || who.getAuthorities().stream().noneMatch(a -> PUBLISHER_AUTHORITY.equals(a.getAuthority()))) {
			return Optional.empty();
		}
		return Optional.ofNullable(who.getName()).filter(n -> !n.isBlank());
	}

	/** The request and what the refusal said first, for an operator to reproduce it. */
	static String sample(RequestDetails request, BaseServerResponseException exception) {
		String path = request.getRequestPath() == null || request.getRequestPath().isBlank() ? "[base]" : request.getRequestPath();
		return sample(request.getRequestType() + " " + path, exception.getStatusCode(), exception.getOperationOutcome(),
				exception.getMessage());
	}

	static String sample(String request, int status, IBaseResource outcome, String fallback) {
		String said = fallback;
		if (outcome instanceof OperationOutcome issues && issues.hasIssue() && issues.getIssueFirstRep().hasDiagnostics()) {
			said = issues.getIssueFirstRep().getDiagnostics();
		}
		String text = request + " → " + status + " " + said;
		return text.length() > RefusedWriteHour.SAMPLE_LENGTH ? text.substring(0, RefusedWriteHour.SAMPLE_LENGTH) : text;
	}

	/**
	 * A batch is answered 200 with each entry's own status: its Slot entries answered 4xx are refused writes too,
	 * each counted for the rule code its entry's outcome names (a transaction refused whole goes through
	 * {@link #refused(RequestDetails, BaseServerResponseException)}).
	 */
	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean batchAnswered(RequestDetails request, IBaseResource response) {
		if (!(request.getResource() instanceof Bundle sent) || sent.getType() != Bundle.BundleType.BATCH
				|| !(response instanceof Bundle answered)) { // HAPI names a batch's operation TRANSACTION too
			return true;
		}
		Optional<String> publisher = publisher();
		if (publisher.isEmpty()) {
			return true;
		}
		Instant at = clock.instant();
		int entries = Math.min(sent.getEntry().size(), answered.getEntry().size()); // in the request's order
		for (int i = 0; i < entries; i++) {
			Bundle.BundleEntryComponent entry = sent.getEntry().get(i);
			Bundle.BundleEntryResponseComponent answer = answered.getEntry().get(i).getResponse();
			int status = statusOf(answer.getStatus());
			if (entry.getResource() instanceof Slot && status >= 400 && status < 500) {
				String what = entry.getRequest().getMethod() + " " + entry.getRequest().getUrl() + " (entrée " + (i + 1) + " du lot)";
				refused(publisher.get(), ServerMeters.rule(answer.getOutcome(), status), 1, at,
						sample(what, status, answer.getOutcome(), answer.getStatus()));
			}
		}
		return true;
	}

	/** The code of a batch entry's status ({@code "422 Unprocessable Entity"}), 0 when it has none. */
	static int statusOf(String status) {
		if (status == null || status.length() < 3 || !status.substring(0, 3).chars().allMatch(Character::isDigit)) {
			return 0;
		}
		return Integer.parseInt(status.substring(0, 3));
	}

	void refused(String publisher, String rule, long slots, Instant at, String sample) {
		meters.counter(PushedWrites.METER, "publisher", publisher, "result", "refused", "rule", rule).increment(slots);
		pending.add(new Key(publisher, at.truncatedTo(ChronoUnit.HOURS), rule), new Count(slots, at, sample), Count::plus);
	}

	/** Adds this node's pending counts to its rows; the rules call it before reading. */
	public void flush() {
		pending.flush((key, count) -> {
			RefusedWriteHour row = entityManager.find(RefusedWriteHour.class,
					RefusedWriteHour.idOf(key.publisher(), key.hour(), node, key.rule()));
			if (row == null) {
				entityManager.persist(new RefusedWriteHour(key.publisher(), key.hour(), node, key.rule(), count.refused(),
						count.last(), count.sample()));
			} else {
				row.add(count.refused(), count.last(), count.sample());
			}
		});
	}
}
