package fr.sas.fhir.monitoring;

import fr.sas.fhir.publishers.CallOutcome;
import fr.sas.fhir.publishers.CheckedAnswer;
import fr.sas.fhir.publishers.PublisherCall;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The recent calls per endpoint, as the rules read them: each node counts its calls per endpoint, use case and
 * minute in memory (the client's threads never wait for the database) and adds them to its own rows of
 * {@code SAS_MONITORING_CALLS} every {@code flush-every}; the rules read every node's rows. A node that dies loses
 * at most its last few seconds of figures.
 */
public class CallWindow {

	private record Key(String endpoint, String useCase, Instant minute) {}

	private final PendingRows<Key, MinuteFigures> pending;
	private final Clock clock;
	private final String node;

	@PersistenceContext
	private EntityManager entityManager;

	CallWindow(Clock clock, String node, PlatformTransactionManager transactions) {
		this.clock = clock;
		this.node = node;
		this.pending = new PendingRows<>(transactions);
	}

	static String useCase(PublisherCall call) {
		return call.useCase() == null ? "other" : call.useCase().code();
	}

	void called(PublisherCall call) {
		Instant at = call.startedAt() == null ? clock.instant() : call.startedAt();
		pending.update(new Key(call.endpoint().id(), useCase(call), at.truncatedTo(ChronoUnit.MINUTES)), (k, f) -> {
			MinuteFigures figures = f == null ? new MinuteFigures() : f;
			if (!call.outcome().called()) {
				figures.notCalled++;
				return figures;
			}
			figures.calls++;
			long millis = call.elapsed() == null ? 0 : call.elapsed().toMillis();
			figures.elapsedMillis += millis;
			figures.latencies[Latencies.bucket(millis)]++;
			if (call.answered()) {
				figures.answered++;
			}
			if (call.outcome().failure()) {
				figures.failures++;
				figures.lastError = call.describe() + " — GET " + call.url();
			}
			if (call.outcome() == CallOutcome.TIMEOUT) {
				figures.timeouts++;
			} else if (call.outcome() == CallOutcome.HTTP_ERROR) {
				figures.httpErrors++;
			} else if (call.outcome() == CallOutcome.TLS_ERROR) {
				figures.tlsErrors++;
			}
			if (call.certificateNotAfter() != null && (figures.certificateNotAfter == null
					|| call.certificateNotAfter().isBefore(figures.certificateNotAfter))) {
				figures.certificateNotAfter = call.certificateNotAfter();
			}
			return figures;
		});
	}

	void checked(CheckedAnswer answer) {
		PublisherCall call = answer.call();
		Instant at = call.startedAt() == null ? clock.instant() : call.startedAt();
		pending.update(new Key(call.endpoint().id(), useCase(call), at.truncatedTo(ChronoUnit.MINUTES)), (k, f) -> {
			MinuteFigures figures = f == null ? new MinuteFigures() : f;
			figures.checked++;
			if (!answer.usable()) {
				figures.invalid++;
				figures.lastError = "réponse refusée : " + answer.invalid() + " — GET " + call.url();
			} else if (answer.droppedCount() > 0) {
				figures.withDrops++;
				figures.dropped += answer.droppedCount();
				if (!answer.samples().isEmpty()) {
					figures.lastError = "entrées écartées " + answer.dropped() + " : " + answer.samples().get(0) + " — GET " + call.url();
				}
			}
			if (answer.usable() && answer.slots() == 0) {
				figures.empty++;
			}
			return figures;
		});
	}

	/** Adds this node's pending figures to its rows; the rules call it before reading. */
	public void flush() {
		pending.flush((key, figures) -> {
			CallMinute row = entityManager.find(CallMinute.class, CallMinute.idOf(key.endpoint(), key.useCase(), key.minute(), node));
			if (row == null) {
				row = new CallMinute(key.endpoint(), key.useCase(), key.minute(), node);
				row.add(figures);
				entityManager.persist(row);
			} else {
				row.add(figures);
			}
		});
	}

	/** Every node's rows since {@code from}, oldest first. */
	List<CallMinute> since(Instant from) {
		return entityManager.createQuery("select c from CallMinute c where c.minute >= :from order by c.minute", CallMinute.class)
				.setParameter("from", from.truncatedTo(ChronoUnit.MINUTES)).getResultList();
	}

	/** One endpoint's rows since {@code from}, oldest first. */
	List<CallMinute> since(String endpoint, Instant from) {
		return entityManager.createQuery("select c from CallMinute c where c.endpoint = :e and c.minute >= :from order by c.minute",
				CallMinute.class).setParameter("e", endpoint).setParameter("from", from.truncatedTo(ChronoUnit.MINUTES)).getResultList();
	}

	/** Drops the rows older than {@code before}. */
	int purge(Instant before) {
		return pending.inOwnTransaction(() -> entityManager.createQuery("delete from CallMinute c where c.minute < :before")
				.setParameter("before", before).executeUpdate());
	}

	static MinuteFigures sum(List<CallMinute> rows) {
		MinuteFigures total = new MinuteFigures();
		rows.forEach(r -> total.add(r.figures()));
		return total;
	}
}
