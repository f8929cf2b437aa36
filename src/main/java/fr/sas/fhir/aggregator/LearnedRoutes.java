package fr.sas.fhir.aggregator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.UseCase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hibernate.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Who answers for whom. The platform asks every publisher about every practitioner; this server remembers which
 * endpoints returned slots for which practitioner (or SOS Médecins association) and sends a batch only to those,
 * asking everyone about an identifier no endpoint is known for, and about every identifier of a share of the
 * searches anyway ({@code routing.full-fan-out-rate}: a new practitioner, one who changed software). An identifier
 * everyone was asked about, and no endpoint returned slots for, is not asked again for {@code nobody-ttl}, but of the
 * endpoints that did not answer then (a time-out, an error, a breaker open): an endpoint away must not hide its
 * practitioners once back, and one that never answers must not send every search to everyone. The routes
 * are kept in the database (table {@code SAS_PUBLISHER_ROUTE}, shared by the nodes) and each node reads them again
 * after {@code routing.refresh}; what a search learns is written in the background, a second later at most.
 */
class LearnedRoutes implements DisposableBean {

	private static final Logger LOG = LoggerFactory.getLogger(LearnedRoutes.class);
	private static final String NOBODY = "";
	/** Prefix of an endpoint that did not answer when the others had no slots (as recorded with {@link #NOBODY}). */
	private static final String SILENT = "?";

	private final AggregatorProperties.Routing settings;
	private final Clock clock;
	private final TransactionTemplate ownTransaction;
	private final Cache<String, Known> known;
	private final ConcurrentLinkedQueue<Row> pending = new ConcurrentLinkedQueue<>();
	private final ScheduledExecutorService writer;
	private volatile Boolean postgres;

	@PersistenceContext
	private EntityManager entityManager;

	/** What this node knows of one identifier: when each endpoint last returned slots for it ({@link #NOBODY}: none). */
	private record Known(Map<String, Instant> seen) {}

	private record Row(String useCase, String identifier, String endpointId, Instant seenAt) {}

	/**
	 * What a search sends where.
	 *
	 * @param calls the identifiers to ask each endpoint
	 * @param everyone the identifiers asked of every endpoint (none was known for them, or a full fan-out)
	 * @param retried the identifiers asked only of the endpoints that did not answer when everyone was last asked
	 * @param skipped identifiers asked of nobody: every endpoint answered lately and none had slots
	 */
	record Plan(Map<PublisherEndpoint, List<String>> calls, Set<String> everyone, Set<String> retried, List<String> skipped) {

		int endpoints() {
			return calls.size();
		}
	}

	LearnedRoutes(AggregatorProperties.Routing settings, Clock clock, PlatformTransactionManager transactions) {
		this.settings = settings;
		this.clock = clock;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.known = Caffeine.newBuilder().expireAfterWrite(settings.getRefresh()).maximumSize(200_000).build();
		this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "aggregator-routes");
			thread.setDaemon(true);
			return thread;
		});
		writer.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
	}

	/** Which endpoints get which identifiers of this search. */
	Plan plan(UseCase useCase, List<String> identifiers, List<PublisherEndpoint> callable) {
		Map<PublisherEndpoint, List<String>> calls = new LinkedHashMap<>();
		Set<String> everyone = new java.util.LinkedHashSet<>();
		Set<String> retried = new java.util.LinkedHashSet<>();
		List<String> skipped = new ArrayList<>();
		boolean fullFanOut = !settings.isEnabled()
				|| ThreadLocalRandom.current().nextDouble() < settings.getFullFanOutRate();
		Map<String, Known> read = fullFanOut ? Map.of() : read(useCase, identifiers);
		Instant now = clock.instant();
		Instant routesFrom = now.minus(settings.getRouteTtl());
		Instant nobodyFrom = now.minus(settings.getNobodyTtl());
		for (String identifier : identifiers) {
			Known of = read.get(identifier);
			List<PublisherEndpoint> to = new ArrayList<>();
			if (!fullFanOut && of != null) {
				for (PublisherEndpoint endpoint : callable) {
					Instant seen = of.seen().get(endpoint.id());
					if (seen != null && seen.isAfter(routesFrom)) {
						to.add(endpoint);
					}
				}
				Instant nobody = of.seen().get(NOBODY);
				if (to.isEmpty() && nobody != null && nobody.isAfter(nobodyFrom)) {
					for (PublisherEndpoint endpoint : callable) {
						Instant silent = of.seen().get(SILENT + endpoint.id());
						if (silent != null && !silent.isBefore(nobody)) {
							to.add(endpoint); // silent when the others had none: asked again
						}
					}
					if (to.isEmpty()) {
						skipped.add(identifier);
						continue;
					}
					retried.add(identifier);
				}
			}
			if (to.isEmpty()) {
				to = callable;
				everyone.add(identifier);
			}
			to.forEach(endpoint -> calls.computeIfAbsent(endpoint, e -> new ArrayList<>()).add(identifier));
		}
		return new Plan(calls, everyone, retried, skipped);
	}

	/**
	 * What a search found: {@code foundBy} the endpoints that returned slots for each identifier; {@code nobodyBut}
	 * the identifiers asked of every endpoint (or again of the silent ones) that no answer had slots for, each with
	 * the endpoints that did not answer, asked again next time.
	 */
	void learn(UseCase useCase, Map<String, Set<String>> foundBy, Map<String, Set<String>> nobodyBut) {
		Instant now = clock.instant();
		foundBy.forEach((identifier, endpoints) -> endpoints.forEach(endpoint -> remember(useCase, identifier, endpoint, now)));
		nobodyBut.forEach((identifier, silent) -> {
			remember(useCase, identifier, NOBODY, now);
			silent.forEach(endpoint -> remember(useCase, identifier, SILENT + endpoint, now));
		});
	}

	private void remember(UseCase useCase, String identifier, String endpoint, Instant now) {
		Known of = known.getIfPresent(key(useCase, identifier));
		if (of != null) {
			of.seen().put(endpoint, now);
		}
		pending.add(new Row(useCase.code(), identifier, endpoint, now));
	}

	private Map<String, Known> read(UseCase useCase, List<String> identifiers) {
		Map<String, Known> out = new HashMap<>();
		List<String> missing = new ArrayList<>();
		for (String identifier : identifiers) {
			Known of = known.getIfPresent(key(useCase, identifier));
			if (of != null) {
				out.put(identifier, of);
			} else {
				missing.add(identifier);
			}
		}
		if (!missing.isEmpty()) {
			Map<String, Known> loaded = load(useCase, missing);
			for (String identifier : missing) {
				Known of = loaded.getOrDefault(identifier, new Known(new ConcurrentHashMap<>()));
				known.put(key(useCase, identifier), of);
				out.put(identifier, of);
			}
		}
		return out;
	}

	private Map<String, Known> load(UseCase useCase, List<String> identifiers) {
		Map<String, Known> out = new HashMap<>();
		ownTransaction.executeWithoutResult(tx -> entityManager.unwrap(Session.class).doWork(connection -> {
			String marks = String.join(",", java.util.Collections.nCopies(identifiers.size(), "?"));
			try (PreparedStatement select = connection.prepareStatement("SELECT IDENTIFIER, ENDPOINT_ID, SEEN_AT FROM "
					+ "SAS_PUBLISHER_ROUTE WHERE USE_CASE = ? AND IDENTIFIER IN (" + marks + ")")) {
				select.setString(1, useCase.code());
				for (int i = 0; i < identifiers.size(); i++) {
					select.setString(i + 2, identifiers.get(i));
				}
				try (ResultSet rows = select.executeQuery()) {
					while (rows.next()) {
						out.computeIfAbsent(rows.getString(1), k -> new Known(new ConcurrentHashMap<>()))
								.seen().put(rows.getString(2), rows.getTimestamp(3).toInstant());
					}
				}
			}
		}));
		return out;
	}

	/** Writes what was learnt since the last time, in one transaction (the latest of each row wins). */
	void flush() {
		if (pending.isEmpty()) {
			return;
		}
		Map<String, Row> latest = new LinkedHashMap<>();
		for (Row row; (row = pending.poll()) != null; ) {
			latest.merge(row.useCase() + " " + row.identifier() + " " + row.endpointId(), row,
					(a, b) -> a.seenAt().isAfter(b.seenAt()) ? a : b);
		}
		try {
			ownTransaction.executeWithoutResult(tx -> entityManager.unwrap(Session.class).doWork(connection -> {
				try (PreparedStatement upsert = connection.prepareStatement(upsert(connection))) {
					for (Row row : latest.values()) {
						upsert.setString(1, row.useCase());
						upsert.setString(2, row.identifier());
						upsert.setString(3, row.endpointId());
						upsert.setTimestamp(4, Timestamp.from(row.seenAt()));
						upsert.addBatch();
					}
					upsert.executeBatch();
				}
			}));
		} catch (RuntimeException e) {
			LOG.warn("routes learnt by the aggregator not written ({}); they will be learnt again", e.toString());
		}
	}

	private String upsert(Connection connection) throws SQLException {
		if (postgres == null) {
			postgres = connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
		}
		return postgres
				? "INSERT INTO SAS_PUBLISHER_ROUTE (USE_CASE, IDENTIFIER, ENDPOINT_ID, SEEN_AT) VALUES (?, ?, ?, ?) "
						+ "ON CONFLICT (USE_CASE, IDENTIFIER, ENDPOINT_ID) DO UPDATE SET SEEN_AT = "
						+ "GREATEST(SAS_PUBLISHER_ROUTE.SEEN_AT, EXCLUDED.SEEN_AT)"
				: "MERGE INTO SAS_PUBLISHER_ROUTE (USE_CASE, IDENTIFIER, ENDPOINT_ID, SEEN_AT) "
						+ "KEY (USE_CASE, IDENTIFIER, ENDPOINT_ID) VALUES (?, ?, ?, ?)";
	}

	/** Forgets what this node read (tests: to see another node's learning at once). */
	void forget() {
		known.invalidateAll();
	}

	private static String key(UseCase useCase, String identifier) {
		return useCase.code() + " " + identifier;
	}

	@Override
	public void destroy() {
		writer.shutdown();
		flush();
	}
}
