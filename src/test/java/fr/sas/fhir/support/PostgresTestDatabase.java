package fr.sas.fhir.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh PostgreSQL database per test JVM on the machine's server (127.0.0.1:5432, trust auth, as CI has it),
 * dropped when the JVM exits. Without a reachable server the tests are skipped, except under CI where that fails.
 */
public final class PostgresTestDatabase {

	private static final String ADMIN_URL =
			env("SAS_TEST_PG_ADMIN_URL", "jdbc:postgresql://127.0.0.1:5432/test");
	private static final String USER = env("SAS_TEST_PG_USER", "postgres");
	private static final String PASSWORD = env("SAS_TEST_PG_PASSWORD", "");
	/** Where several people share one PostgreSQL, each names their test databases apart. */
	private static final String PREFIX = env("SAS_TEST_PG_DATABASE_PREFIX", "sas_it_");
	private static String url;
	private static String unavailable;

	private PostgresTestDatabase() {}

	/** The JDBC URL of this JVM's database, created on first call. */
	public static synchronized String url() {
		if (url == null && unavailable == null) {
			create();
		}
		if (unavailable != null) {
			if (System.getenv("CI") != null) {
				throw new IllegalStateException("PostgreSQL is required on CI: " + unavailable);
			}
			org.junit.jupiter.api.Assumptions.abort("PostgreSQL not reachable, test skipped: " + unavailable);
		}
		return url;
	}

	public static String user() {
		return USER;
	}

	public static String password() {
		return PASSWORD;
	}

	private static void create() {
		String name = PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
				Statement s = c.createStatement()) {
			s.execute("CREATE DATABASE " + name);
		} catch (SQLException e) {
			unavailable = ADMIN_URL + ": " + e.getMessage();
			return;
		}
		url = ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
		Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name)));
	}

	private static void drop(String name) {
		try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
				Statement s = c.createStatement()) {
			s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		} catch (SQLException e) {
			System.err.println("Could not drop test database " + name + ": " + e.getMessage());
		}
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return value == null || value.isBlank() ? fallback : value;
	}
}
