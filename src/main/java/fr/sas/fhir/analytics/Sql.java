package fr.sas.fhir.analytics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Plain JDBC on a given connection, with the null and date bindings H2 and PostgreSQL both accept. */
final class Sql {

	interface Row<T> {
		T read(ResultSet row) throws SQLException;
	}

	private Sql() {}

	static int update(Connection connection, String sql, Object... parameters) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			bind(statement, parameters);
			return statement.executeUpdate();
		}
	}

	static <T> List<T> query(Connection connection, String sql, Row<T> mapper, Object... parameters) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			bind(statement, parameters);
			List<T> out = new ArrayList<>();
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					out.add(mapper.read(rows));
				}
			}
			return out;
		}
	}

	static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
		for (int i = 0; i < parameters.length; i++) {
			Object value = parameters[i];
			if (value == null) {
				statement.setNull(i + 1, Types.VARCHAR);
			} else if (value instanceof LocalDate day) {
				statement.setDate(i + 1, java.sql.Date.valueOf(day));
			} else if (value instanceof Instant instant) {
				statement.setTimestamp(i + 1, java.sql.Timestamp.from(instant));
			} else {
				statement.setObject(i + 1, value);
			}
		}
	}

	static boolean isPostgres(Connection connection) throws SQLException {
		return connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
	}
}
