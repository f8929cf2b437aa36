package fr.sas.fhir.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Inserts audit records with plain JDBC: one multi-row {@code INSERT} per batch, on the connection given (the
 * write's own, or a pooled one in auto-commit, where that statement is its own transaction: one round trip).
 * Through a Hibernate session, each batch also paid for the session, bean validation, envers' lookup and a separate
 * begin and commit, on every search: this is the insert alone.
 *
 * <p>Ids come from the entity's sequence ({@code SEQ_SAS_AUDIT}, increment {@value #BLOCK}) a block at a time, as
 * Hibernate's pooled optimizer takes them: a fetched value {@code hi} owns {@code (hi - BLOCK, hi]}, so the blocks
 * of several nodes never overlap, nor do they reach the ids Hibernate gave earlier records (all at or below a value
 * the sequence already returned).
 */
final class AuditInserts {

	/** The sequence's increment: {@code allocationSize} of {@link AuditRecord}'s generator. */
	static final int BLOCK = 50;

	private static final String COLUMNS =
			"INSERT INTO SAS_AUDIT (ID, RECORDED_AT, WHO, ROLE, ADDRESS, INTERACTION, TARGET, STATUS, DETAIL) VALUES ";
	private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

	private final String nextBlockSql;
	private long next;
	private long last = -1;

	/** @param nextBlockSql the dialect's query of the sequence's next value */
	AuditInserts(String nextBlockSql) {
		this.nextBlockSql = nextBlockSql;
	}

	/** Inserts the records on this connection; the caller commits (or the connection is in auto-commit). */
	void insert(Connection connection, List<AuditRecord> records) throws SQLException {
		StringBuilder sql = new StringBuilder(COLUMNS.length() + records.size() * (ROW.length() + 2)).append(COLUMNS);
		for (int i = 0; i < records.size(); i++) {
			sql.append(i == 0 ? "" : ", ").append(ROW);
		}
		try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
			int p = 1;
			for (AuditRecord record : records) {
				insert.setLong(p++, nextId(connection));
				insert.setObject(p++, OffsetDateTime.ofInstant(record.getRecordedAt(), ZoneOffset.UTC));
				p = text(insert, p, record.getWho());
				p = text(insert, p, record.getRole());
				p = text(insert, p, record.getAddress());
				p = text(insert, p, record.getInteraction());
				p = text(insert, p, record.getTarget());
				insert.setInt(p++, record.getStatus());
				p = text(insert, p, record.getDetail());
			}
			insert.executeUpdate();
		}
	}

	private static int text(PreparedStatement statement, int index, String value) throws SQLException {
		if (value == null) {
			statement.setNull(index, Types.VARCHAR);
		} else {
			statement.setString(index, value);
		}
		return index + 1;
	}

	/** The next id of this node's block; a new block from the sequence when it is used up. */
	private synchronized long nextId(Connection connection) throws SQLException {
		if (next > last) {
			long hi;
			try (PreparedStatement query = connection.prepareStatement(nextBlockSql); ResultSet result = query.executeQuery()) {
				result.next();
				hi = result.getLong(1);
			}
			last = hi;
			next = Math.max(1, hi - BLOCK + 1);
		}
		return next++;
	}
}
