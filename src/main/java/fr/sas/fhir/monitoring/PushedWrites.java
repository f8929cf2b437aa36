package fr.sas.fhir.monitoring;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import fr.sas.fhir.common.AfterCommit;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Slot;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The slots publishers push, per publisher and hour: a Slot created or updated through the FHIR API by a publisher
 * (its ownership tag names it) counts once its transaction committed, so a transaction refused whole counts nothing.
 * Counted in memory on the writing thread and added to this node's rows of {@code SAS_MONITORING_WRITES} at each
 * flush, as {@link CallWindow} does for the calls.
 */
@Interceptor
public class PushedWrites extends PublisherHourCounts<PushedWrites.Key, PushedWrites.Count, WriteHour> {

	/** The publisher's ownership tag (security.PublisherOwnershipInterceptor.OWNER_SYSTEM; not imported: layers). */
	static final String OWNER_SYSTEM = "https://sas-fhir-server.example/publisher";
	/** Slot writes per publisher, accepted or refused by rule code ({@link RefusedWrites}). */
	static final String METER = "sas.publisher.slot.writes";

	record Key(String publisher, Instant hour) {}

	record Count(long accepted, Instant last) {
		Count plus(Count other) {
			return new Count(accepted + other.accepted, last.isAfter(other.last) ? last : other.last);
		}
	}

	PushedWrites(Clock clock, String node, MeterRegistry meters, PlatformTransactionManager transactions) {
		super(WriteHour.class, clock, node, meters, transactions);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		written(resource, request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
		written(resource, request);
	}

	private void written(IBaseResource resource, RequestDetails request) {
		Optional<String> publisher = resource instanceof Slot slot && pushed(request) ? owner(slot) : Optional.empty();
		if (publisher.isEmpty()) {
			return;
		}
		Instant at = clock.instant();
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			AfterCommit.run(() -> accepted(publisher.get(), at));
		} else {
			accepted(publisher.get(), at);
		}
	}

	/**
	 * A write of slots sent as such (on Slot, or in a transaction or batch): a slot the server updates as the effect
	 * of another write (booked by an appointment) keeps its publisher's tag but was not pushed by it.
	 */
	private static boolean pushed(RequestDetails request) {
		if (request == null || request instanceof SystemRequestDetails) {
			return false;
		}
		RestOperationTypeEnum operation = request.getRestOperationType();
		return "Slot".equals(request.getResourceName())
				|| operation == RestOperationTypeEnum.TRANSACTION || operation == RestOperationTypeEnum.BATCH;
	}

	static Optional<String> owner(Slot slot) {
		return slot.getMeta().getTag().stream().filter(t -> OWNER_SYSTEM.equals(t.getSystem())).map(Coding::getCode)
				.filter(c -> c != null && !c.isBlank()).findFirst();
	}

	void accepted(String publisher, Instant at) {
		meters.counter(METER, "publisher", publisher, "result", "accepted", "rule", "none").increment();
		pending.add(new Key(publisher, at.truncatedTo(ChronoUnit.HOURS)), new Count(1, at), Count::plus);
	}

	/** Adds this node's pending counts to its rows; the rules call it before reading. */
	public void flush() {
		pending.flush((key, count) -> {
			WriteHour row = entityManager.find(WriteHour.class, WriteHour.idOf(key.publisher(), key.hour(), node));
			if (row == null) {
				entityManager.persist(new WriteHour(key.publisher(), key.hour(), node, count.accepted(), count.last()));
			} else {
				row.add(count.accepted(), count.last());
			}
		});
	}
}
