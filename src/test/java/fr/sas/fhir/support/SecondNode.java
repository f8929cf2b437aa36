package fr.sas.fhir.support;

import fr.sas.fhir.SasFhirServerApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A second server node in the test JVM, beside a suite's own server, on the same PostgreSQL database: its own
 * port and data directory, the tests' settings, and whatever else the suite's node has (the search engine).
 */
public final class SecondNode implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private SecondNode(ConfigurableApplicationContext context) {
		this.context = context;
	}

	public static SecondNode start(String... moreArguments) {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--sas.search.plain-path-header=true",
				"--sas.security.client-header=" + ServerTestBase.PUBLISHER_HEADER,
				"--spring.datasource.url=" + PostgresTestDatabase.url(),
				"--spring.datasource.username=" + PostgresTestDatabase.user(),
				"--spring.datasource.password=" + PostgresTestDatabase.password()));
		try {
			arguments.add("--sas.data-dir=" + Files.createTempDirectory("sas-second-node"));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		arguments.addAll(List.of(moreArguments));
		// arguments, as an operator starts a node: they win over application.yaml (default properties would not)
		return new SecondNode(new SpringApplicationBuilder(SasFhirServerApplication.class, TestClock.Config.class)
				.run(arguments.toArray(String[]::new)));
	}

	public FhirHttp fhir() {
		int port = ((ServletWebServerApplicationContext) context).getWebServer().getPort();
		return new FhirHttp("http://localhost:" + port + "/fhir");
	}

	public <T> T bean(Class<T> type) {
		return context.getBean(type);
	}

	@Override
	public void close() {
		context.close();
	}
}
