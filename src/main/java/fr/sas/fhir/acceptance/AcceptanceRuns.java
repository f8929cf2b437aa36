package fr.sas.fhir.acceptance;

import fr.sas.fhir.publishers.PublisherEndpoint;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The runs of the {@code $acceptance} operation: recorded when asked, run one at a time in the background on the node
 * that was asked (an acceptance is a few dozen sequential calls to one publisher: never in a request's thread), their
 * verdict and JSON report recorded when done.
 */
public class AcceptanceRuns implements DisposableBean {

	private static final Logger LOG = LoggerFactory.getLogger(AcceptanceRuns.class);

	private final AcceptanceEngine engine;
	private final Clock clock;
	private final TransactionTemplate ownTransaction;
	private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
		Thread thread = new Thread(r, "acceptance-runs");
		thread.setDaemon(true);
		return thread;
	});

	@PersistenceContext
	private EntityManager entityManager;

	AcceptanceRuns(AcceptanceEngine engine, Clock clock, PlatformTransactionManager transactions) {
		this.engine = engine;
		this.clock = clock;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** Records a run and starts it; returns its id. */
	String start(PublisherEndpoint endpoint, TestData data) {
		String id = UUID.randomUUID().toString();
		ownTransaction.executeWithoutResult(s -> entityManager.persist(new AcceptanceRun(id, endpoint.id(), clock.instant())));
		runner.execute(() -> {
			try {
				AcceptanceReport report = engine.run(endpoint, data);
				String json = AcceptanceReports.json(report);
				String summary = (report.accepted() ? "accepted" : "refused") + ": " + report.count(Verdict.PASS) + " passed, "
						+ report.count(Verdict.FAIL) + " failed, " + report.count(Verdict.WARNING) + " warnings, "
						+ report.count(Verdict.SKIPPED) + " skipped";
				record(id, run -> run.done(clock.instant(), report.accepted(), summary,
						json.length() > AcceptanceRun.MAX_REPORT ? null : json));
			} catch (RuntimeException e) {
				LOG.warn("acceptance run {} of endpoint {} failed", id, endpoint.id(), e);
				record(id, run -> run.failed(clock.instant(), e.toString()));
			}
		});
		return id;
	}

	private void record(String id, java.util.function.Consumer<AcceptanceRun> change) {
		ownTransaction.executeWithoutResult(s -> {
			AcceptanceRun run = entityManager.find(AcceptanceRun.class, id);
			if (run != null) {
				change.accept(run);
			}
		});
	}

	Optional<AcceptanceRun> find(String id) {
		return Optional.ofNullable(ownTransaction.execute(s -> entityManager.find(AcceptanceRun.class, id)));
	}

	/** The runs of an endpoint, newest first. */
	List<AcceptanceRun> ofEndpoint(String endpointId) {
		return ownTransaction.execute(s -> entityManager.createQuery(
						"select r from AcceptanceRun r where r.endpointId = :endpoint order by r.requestedAt desc", AcceptanceRun.class)
				.setParameter("endpoint", endpointId).setMaxResults(200).getResultList());
	}

	@Override
	public void destroy() {
		runner.shutdownNow();
	}
}
