package fr.sas.fhir.common;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.hibernate.Session;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.transaction.support.TransactionSynchronization;

/**
 * Change counters in the database, so that what one node keeps in memory (a schedule's free slots, validation
 * verdicts) is known stale on every node as soon as another node's write commits: a write bumps the counters of
 * what it changed in its own transaction, a reader compares the counter it read with the one its copy was made
 * at. Read committed is enough: a request arriving after a commit reads the bumped counter (read-your-writes
 * across nodes), and a copy is tagged with a counter read before its content, so it can only be too old, never
 * too new.
 *
 * <p>The bumps of a transaction are made together just before it commits, in name order: two transactions that
 * change the same counters take their row locks in the same order and never deadlock, and the locks are held
 * only for the commit itself.
 */
public class ChangeCounters {

	@PersistenceContext
	private EntityManager entityManager;

	private final TransactionTemplate ownTransaction;
	private final TransactionTemplate readTransaction;
	private volatile Boolean postgres;

	public ChangeCounters(PlatformTransactionManager transactions) {
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.readTransaction = new TransactionTemplate(transactions);
		this.readTransaction.setReadOnly(true);
	}

	/** Adds one to the named counter now, in a transaction of its own (for work that spans several, as expunge). */
	public void bumpNow(String name) {
		ownTransaction.executeWithoutResult(tx -> bump(new TreeSet<>(java.util.List.of(name))));
	}

	/** Adds one to the named counter just before the current transaction commits. */
	public void bumpAtCommit(String name) {
		// The transaction's own names, by its session: an inner REQUIRES_NEW (another session) gets its own.
		Pending pending = PerTransaction.of(new PendingKey(this, entityManager.unwrap(Session.class)), Pending::new);
		if (pending == null) {
			throw new IllegalStateException("a change counter is bumped inside the write's transaction");
		}
		pending.names.add(name);
	}

	/** A transaction's pending bumps, by their counters and its session (compared by identity). */
	private record PendingKey(ChangeCounters counters, Session session) {}

	/**
	 * The committed value of the named counter, 0 if never bumped; in the caller's transaction if any. Plain JDBC,
	 * as the bumps: a query through the persistence context could flush a write in progress.
	 */
	public long read(String name) {
		return readTransaction.execute(tx -> entityManager.unwrap(Session.class).doReturningWork(connection -> {
			try (PreparedStatement select = connection.prepareStatement(
					"SELECT VERSION FROM SAS_CHANGE_COUNTER WHERE NAME = ?")) {
				select.setString(1, name);
				try (java.sql.ResultSet row = select.executeQuery()) {
					return row.next() ? row.getLong(1) : 0L;
				}
			}
		}));
	}

	private void bump(NavigableSet<String> names) {
		entityManager.unwrap(Session.class).doWork(connection -> {
			for (String name : names) {
				if (isPostgres(connection)) {
					upsertOnPostgres(connection, name);
				} else {
					upsertElsewhere(connection, name);
				}
			}
		});
	}

	private boolean isPostgres(Connection connection) throws SQLException {
		if (postgres == null) {
			postgres = connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
		}
		return postgres;
	}

	/** One atomic statement: concurrent first bumps of a name both count. */
	private static void upsertOnPostgres(Connection connection, String name) throws SQLException {
		try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO SAS_CHANGE_COUNTER (NAME, VERSION) "
				+ "VALUES (?, 1) ON CONFLICT (NAME) DO UPDATE SET VERSION = SAS_CHANGE_COUNTER.VERSION + 1")) {
			upsert.setString(1, name);
			upsert.executeUpdate();
		}
	}

	/**
	 * H2 (one node): update, else insert; a concurrent first insert of the same name fails only that statement
	 * (H2 keeps the transaction), and the update is tried again.
	 */
	private static void upsertElsewhere(Connection connection, String name) throws SQLException {
		for (int attempt = 0; ; attempt++) {
			try (PreparedStatement update = connection.prepareStatement(
					"UPDATE SAS_CHANGE_COUNTER SET VERSION = VERSION + 1 WHERE NAME = ?")) {
				update.setString(1, name);
				if (update.executeUpdate() == 1) {
					return;
				}
			}
			try (PreparedStatement insert = connection.prepareStatement(
					"INSERT INTO SAS_CHANGE_COUNTER (NAME, VERSION) VALUES (?, 1)")) {
				insert.setString(1, name);
				insert.executeUpdate();
				return;
			} catch (SQLException duplicate) {
				if (attempt > 0 || !"23505".equals(duplicate.getSQLState())) {
					throw duplicate;
				}
			}
		}
	}

	/** The names a transaction changed, bumped just before it commits. */
	private final class Pending implements TransactionSynchronization {

		private final NavigableSet<String> names = new TreeSet<>();

		@Override
		public void beforeCommit(boolean readOnly) {
			bump(names);
		}
	}
}
