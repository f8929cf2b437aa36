package fr.sas.fhir.common;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Scheduled jobs run on one node at a time: before its turn a job takes its lease in the database (a conditional
 * update, so two nodes never both succeed, on H2 as on PostgreSQL, without holding a lock while the job runs),
 * and gives it back when done. A node that died holding it loses it when it expires. The lease's times are the
 * nodes' clocks: keep them synchronised (NTP) well within the lease's duration.
 */
public class JobLeases {

	/** This node, as the holder of its leases: the process and a random part (two JVMs on one host differ). */
	private final String node = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
	private final Clock clock;
	private final TransactionTemplate ownTransaction;

	@PersistenceContext
	private EntityManager entityManager;

	public JobLeases(Clock clock, PlatformTransactionManager transactions) {
		this.clock = clock;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	public String node() {
		return node;
	}

	/** Runs {@code job} if this node gets the lease of {@code name} for {@code duration}; false when another holds it. */
	public boolean runAlone(String name, Duration duration, Runnable job) {
		if (!acquire(name, duration)) {
			return false;
		}
		try {
			job.run();
			return true;
		} finally {
			release(name);
		}
	}

	/** Takes the lease when it is free, expired, or already this node's. */
	public boolean acquire(String name, Duration duration) {
		Instant now = clock.instant();
		try {
			return Boolean.TRUE.equals(ownTransaction.execute(tx -> {
				int taken = entityManager.createQuery("update JobLease l set l.holder = :me, l.until = :until "
								+ "where l.job = :job and (l.holder = :me or l.until < :now)")
						.setParameter("me", node).setParameter("until", now.plus(duration)).setParameter("job", name)
						.setParameter("now", now).executeUpdate();
				if (taken == 1) {
					return true;
				}
				if (entityManager.find(JobLease.class, name) != null) {
					return false; // held by another node
				}
				entityManager.persist(new JobLease(name, node, now.plus(duration)));
				entityManager.flush();
				return true;
			}));
		} catch (DataIntegrityViolationException | jakarta.persistence.PersistenceException another) {
			return false; // another node created the row first, and holds it
		}
	}

	/** Gives the lease back (expires it now), if this node holds it. */
	public void release(String name) {
		ownTransaction.executeWithoutResult(tx -> entityManager.createQuery(
						"update JobLease l set l.until = :now where l.job = :job and l.holder = :me")
				.setParameter("now", clock.instant().minusMillis(1)).setParameter("job", name).setParameter("me", node)
				.executeUpdate());
	}
}
