package fr.sas.fhir.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * What {@link PushedWrites} and {@link RefusedWrites} share: a node's counts pending per key until they are added to
 * its own rows of one {@link PublisherHour} table, and every node's rows of that table read and purged by the hour.
 */
abstract class PublisherHourCounts<K, C, R extends PublisherHour> {

	final PendingRows<K, C> pending;
	final Clock clock;
	final String node;
	final MeterRegistry meters;
	private final Class<R> rows;

	@PersistenceContext
	EntityManager entityManager;

	PublisherHourCounts(Class<R> rows, Clock clock, String node, MeterRegistry meters,
			PlatformTransactionManager transactions) {
		this.rows = rows;
		this.clock = clock;
		this.node = node;
		this.meters = meters;
		this.pending = new PendingRows<>(transactions);
	}

	/** Every node's rows since {@code from}, oldest first. */
	List<R> since(Instant from) {
		return entityManager.createQuery("select r from " + entity() + " r where r.hour >= :from order by r.hour", rows)
				.setParameter("from", from.truncatedTo(ChronoUnit.HOURS)).getResultList();
	}

	/** One publisher's rows since {@code from}, oldest first. */
	List<R> since(String publisher, Instant from) {
		return entityManager.createQuery("select r from " + entity() + " r where r.publisher = :p and r.hour >= :from "
				+ "order by r.hour", rows).setParameter("p", publisher)
				.setParameter("from", from.truncatedTo(ChronoUnit.HOURS)).getResultList();
	}

	/** Drops the rows older than {@code before}. */
	int purge(Instant before) {
		return pending.inOwnTransaction(() -> entityManager.createQuery("delete from " + entity() + " r where r.hour < :before")
				.setParameter("before", before).executeUpdate());
	}

	private String entity() {
		return entityManager.getMetamodel().entity(rows).getName();
	}
}
