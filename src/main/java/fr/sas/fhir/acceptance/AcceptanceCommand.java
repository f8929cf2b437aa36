package fr.sas.fhir.acceptance;

import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.UseCase;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Endpoint;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar sas-fhir-server.jar acceptance --endpoint https://... --cert client.p12 --test-data data.json
 * --report out/}: the connected acceptance from the command line, without web server (the server's Spring context,
 * for the validator and the publishers' client, with {@code server.port=-1}: no HTTP endpoint opened), its data
 * directory a temporary one unless
 * {@code --sas.data-dir} says otherwise. Exit code 0 when every blocking check passed, 1 when one failed, 2 for a
 * usage error.
 */
public final class AcceptanceCommand {

	public static final String NAME = "acceptance";
	static final String USAGE = """
			usage: java -jar sas-fhir-server.jar acceptance --endpoint <FHIR base URL> --test-data <file.json> --report <dir>
			         [--cert <client certificate, PKCS#12>] [--cert-password <password>] (or SAS_ACCEPTANCE_CERT_PASSWORD)
			         [--trust <trust store, PKCS#12>] [--trust-password <password>]
			         [--header 'Name: value']... [--sas.<setting>=<value>]...
			  test data: {"practitioners": ["8..."], "associations": ["3..."], "cpts": ["1..."], "useCases": ["individual", "cpts", "sos"]}
			  exit code: 0 every blocking check passed, 1 a blocking check failed, 2 usage error""";

	/** The command line, read. */
	record Options(URI endpoint, Path testData, Path report, Path cert, String certPassword, Path trust, String trustPassword,
			List<String> headers, Map<String, String> settings) {}

	private AcceptanceCommand() {}

	/** Runs the command; returns its exit code. */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		Options options;
		TestData data;
		try {
			options = parse(args);
			data = TestData.read(options.testData());
			List<String> problems = data.problems();
			if (!problems.isEmpty()) {
				throw new IllegalArgumentException("test data " + options.testData() + ": " + String.join("; ", problems));
			}
		} catch (IllegalArgumentException | IOException e) {
			err.println("acceptance: " + e.getMessage());
			err.println(USAGE);
			return 2;
		}
		Path dataDir = null;
		SpringApplication application = new SpringApplication(fr.sas.fhir.SasFhirServerApplication.class);
		// The server's own context (the validator, the publishers' client, the security settings they need), its web
		// server not started: server.port=-1 opens no HTTP endpoint at all.
		Map<String, Object> defaults = new LinkedHashMap<>();
		defaults.put("spring.main.banner-mode", "off");
		defaults.put("server.port", "-1");
		// Every check is a verdict of its own: a series of time-outs must not turn the next calls into "not called".
		defaults.put("sas.publishers.circuit-breaker.sliding-window", "1000");
		defaults.put("sas.publishers.circuit-breaker.minimum-calls", "1000");
		defaults.put("logging.level.root", "WARN");
		if (!options.settings().containsKey("sas.data-dir")) {
			try {
				dataDir = Files.createTempDirectory("sas-acceptance");
			} catch (IOException e) {
				err.println("acceptance: no temporary directory: " + e.getMessage());
				return 2;
			}
			defaults.put("sas.data-dir", dataDir.toString());
		}
		application.setDefaultProperties(defaults);
		List<String> springArgs = new ArrayList<>();
		options.settings().forEach((k, v) -> springArgs.add("--" + k + "=" + v));
		try {
			String alias = null;
			if (options.cert() != null) {
				alias = firstKeyAlias(options.cert(), options.certPassword());
				springArgs.add("--sas.publishers.key-store=" + options.cert());
				springArgs.add("--sas.publishers.key-store-password=" + options.certPassword());
			}
			if (options.trust() != null) {
				springArgs.add("--sas.publishers.trust-store=" + options.trust());
				springArgs.add("--sas.publishers.trust-store-password=" + options.trustPassword());
			}
			out.println("acceptance: starting the validator (no web server)...");
			try (ConfigurableApplicationContext context = application.run(springArgs.toArray(String[]::new))) {
				AcceptanceEngine engine = context.getBean(AcceptanceEngine.class);
				AcceptanceProperties properties = context.getBean(AcceptanceProperties.class);
				PublisherEndpoint endpoint = endpoint(options, alias, properties.getCallBudget());
				return execute(engine, endpoint, data, options.report(), out);
			}
		} catch (IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
			err.println("acceptance: " + e.getMessage());
			return 2;
		} finally {
			if (dataDir != null) {
				deleteQuietly(dataDir);
			}
		}
	}

	/** Runs the checks, writes the three reports and says the verdict; the exit code. */
	static int execute(AcceptanceEngine engine, PublisherEndpoint endpoint, TestData data, Path reportDir, PrintStream out)
			throws IOException {
		out.println("acceptance: " + endpoint.address() + ", use cases " + data.useCases());
		AcceptanceReport report = engine.run(endpoint, data);
		AcceptanceReports.write(report, reportDir);
		for (CheckResult r : report.results()) {
			if (r.verdict() == Verdict.FAIL || r.verdict() == Verdict.WARNING) {
				out.println("  " + r.verdict().code().toUpperCase() + " " + r.check().id() + ": " + r.summary());
			}
		}
		out.println("acceptance: " + (report.accepted() ? "ACCEPTED" : "REFUSED") + " - " + report.count(Verdict.PASS) + " passed, "
				+ report.count(Verdict.FAIL) + " failed, " + report.count(Verdict.WARNING) + " warnings, "
				+ report.count(Verdict.SKIPPED) + " skipped; " + report.requests() + " requests in " + report.duration().toMillis()
				+ " ms; reports in " + reportDir.toAbsolutePath());
		return report.accepted() ? 0 : 1;
	}

	static Options parse(String[] args) {
		URI endpoint = null;
		Path testData = null;
		Path report = null;
		Path cert = null;
		Path trust = null;
		String certPassword = System.getenv().getOrDefault("SAS_ACCEPTANCE_CERT_PASSWORD", "");
		String trustPassword = "";
		List<String> headers = new ArrayList<>();
		Map<String, String> settings = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.startsWith("--sas.") || arg.startsWith("--spring.") || arg.startsWith("--logging.")) {
				int eq = arg.indexOf('=');
				if (eq < 0) {
					throw new IllegalArgumentException(arg + ": a setting is written --name=value");
				}
				settings.put(arg.substring(2, eq), arg.substring(eq + 1));
				continue;
			}
			String name = arg;
			String value;
			int eq = arg.indexOf('=');
			if (arg.startsWith("--") && eq > 0) {
				name = arg.substring(0, eq);
				value = arg.substring(eq + 1);
			} else {
				if (i + 1 >= args.length) {
					throw new IllegalArgumentException(arg + " needs a value");
				}
				value = args[++i];
			}
			switch (name) {
				case "--endpoint" -> endpoint = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
				case "--test-data" -> testData = Path.of(value);
				case "--report" -> report = Path.of(value);
				case "--cert" -> cert = Path.of(value);
				case "--cert-password" -> certPassword = value;
				case "--trust" -> trust = Path.of(value);
				case "--trust-password" -> trustPassword = value;
				case "--header" -> headers.add(value);
				default -> throw new IllegalArgumentException("unknown option " + name);
			}
		}
		if (endpoint == null || testData == null || report == null) {
			throw new IllegalArgumentException("--endpoint, --test-data and --report are required");
		}
		if (!"https".equals(endpoint.getScheme()) && !"http".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
			throw new IllegalArgumentException("--endpoint " + endpoint + ": an absolute http(s) URL");
		}
		return new Options(endpoint, testData, report, cert, certPassword, trust, trustPassword, Collections.unmodifiableList(headers),
				settings);
	}

	static PublisherEndpoint endpoint(Options options, String alias, Duration budget) {
		return new PublisherEndpoint("acceptance-command", "1", "acceptance", options.endpoint(), EnumSet.allOf(UseCase.class),
				Endpoint.EndpointStatus.ACTIVE, null, budget, alias, null, null, null, options.headers());
	}

	private static String firstKeyAlias(Path file, String password) throws IOException, java.security.GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = new FileInputStream(file.toFile())) {
			store.load(in, password.toCharArray());
		}
		for (String alias : Collections.list(store.aliases())) {
			if (store.isKeyEntry(alias)) {
				return alias;
			}
		}
		throw new IllegalArgumentException(file + " holds no private key and certificate");
	}

	private static void deleteQuietly(Path directory) {
		try (var paths = Files.walk(directory)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		} catch (IOException e) {
			// a temporary directory: left behind
		}
	}
}
