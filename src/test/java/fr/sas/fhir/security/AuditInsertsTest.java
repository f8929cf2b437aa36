package fr.sas.fhir.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plain inserts of the audit trail: every column as given, ids unique across nodes sharing the sequence. */
class AuditInsertsTest {

	private Connection connection;

	@BeforeEach
	void schema() throws SQLException {
		connection = DriverManager.getConnection("jdbc:h2:mem:audit-inserts;DB_CLOSE_DELAY=-1", "sa", "");
		try (Statement ddl = connection.createStatement()) {
			ddl.execute("CREATE SEQUENCE SEQ_SAS_AUDIT START WITH 1 INCREMENT BY 50");
			ddl.execute("CREATE TABLE SAS_AUDIT (ID BIGINT PRIMARY KEY, RECORDED_AT TIMESTAMP(6) WITH TIME ZONE NOT NULL,"
					+ " WHO VARCHAR(100) NOT NULL, ROLE VARCHAR(20), ADDRESS VARCHAR(64), INTERACTION VARCHAR(60) NOT NULL,"
					+ " TARGET VARCHAR(2000), STATUS INTEGER NOT NULL, DETAIL VARCHAR(1000))");
		}
	}

	@AfterEach
	void drop() throws SQLException {
		try (Statement ddl = connection.createStatement()) {
			ddl.execute("DROP ALL OBJECTS");
		}
		connection.close();
	}

	@Test
	void aBatchIsStoredAsGiven() throws SQLException {
		Instant at = Instant.parse("2026-12-02T10:15:30.123456Z");
		new AuditInserts("VALUES NEXT VALUE FOR SEQ_SAS_AUDIT").insert(connection, List.of(
				new AuditRecord(at, "lrm-samu35", "LRM", "10.0.0.7", "search-type", "Slot?status=free", 200, null),
				new AuditRecord(at.plusSeconds(1), "anonymous", null, null, "refused POST", "/fhir/Slot", 401, "SAS-auth: no credentials")));

		try (Statement query = connection.createStatement();
				ResultSet rows = query.executeQuery("SELECT ID, RECORDED_AT, WHO, ROLE, ADDRESS, INTERACTION, TARGET, STATUS, DETAIL"
						+ " FROM SAS_AUDIT ORDER BY ID")) {
			assertThat(rows.next()).isTrue();
			assertThat(rows.getObject(2, java.time.OffsetDateTime.class).toInstant()).isEqualTo(at);
			assertThat(List.of(rows.getString(3), rows.getString(4), rows.getString(5), rows.getString(6), rows.getString(7)))
					.containsExactly("lrm-samu35", "LRM", "10.0.0.7", "search-type", "Slot?status=free");
			assertThat(rows.getInt(8)).isEqualTo(200);
			assertThat(rows.getString(9)).isNull();
			assertThat(rows.next()).isTrue();
			assertThat(rows.getString(3)).isEqualTo("anonymous");
			assertThat(rows.getString(4)).isNull();
			assertThat(rows.getInt(8)).isEqualTo(401);
			assertThat(rows.getString(9)).isEqualTo("SAS-auth: no credentials");
			assertThat(rows.next()).isFalse();
		}
	}

	@Test
	void twoNodesSharingTheSequenceNeverTakeTheSameId() throws SQLException {
		AuditInserts one = new AuditInserts("VALUES NEXT VALUE FOR SEQ_SAS_AUDIT");
		AuditInserts other = new AuditInserts("VALUES NEXT VALUE FOR SEQ_SAS_AUDIT");
		for (int round = 0; round < 7; round++) {
			one.insert(connection, records(round, 17));
			other.insert(connection, records(round, 23));
		}

		List<Long> ids = new ArrayList<>();
		try (Statement query = connection.createStatement(); ResultSet rows = query.executeQuery("SELECT ID FROM SAS_AUDIT")) {
			while (rows.next()) {
				ids.add(rows.getLong(1));
			}
		}
		assertThat(ids).hasSize(7 * (17 + 23)).doesNotHaveDuplicates().allMatch(id -> id >= 1);
	}

	private static List<AuditRecord> records(int round, int count) {
		List<AuditRecord> records = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			records.add(new AuditRecord(Instant.EPOCH, "client-" + round, "LRM", "127.0.0.1", "search-type", "Slot?n=" + i, 200, null));
		}
		return records;
	}
}
