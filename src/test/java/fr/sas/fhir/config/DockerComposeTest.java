package fr.sas.fhir.config;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.ConfigurationKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no Docker engine here: {@code docker/} is checked against the code instead, so it cannot drift from it.
 * The compose file brings up PostgreSQL 16, one OpenSearch 2 node, two server nodes built from the Dockerfile and a
 * load balancer, each with a health check; every environment variable a server node gets is a configuration key
 * of the server; the Dockerfile copies what the repository has and runs as a non-root user; nginx balances over
 * the compose file's nodes.
 */
class DockerComposeTest {

	private static final Path DOCKER = Path.of("docker");
	private final ConfigurationKeys keys = ConfigurationKeys.load();

	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, Object>> services() throws IOException {
		Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("docker-compose.yml")));
		return (Map<String, Map<String, Object>>) compose.get("services");
	}

	private static List<String> serverNodes(Map<String, Map<String, Object>> services) {
		List<String> nodes = new ArrayList<>();
		services.forEach((name, service) -> {
			if (service.get("build") instanceof Map<?, ?> build && "docker/Dockerfile".equals(build.get("dockerfile"))) {
				nodes.add(name);
			}
		});
		return nodes;
	}

	@Test
	void theComposeFileBringsUpTheWholeDeploymentWithHealthChecks() throws IOException {
		Map<String, Map<String, Object>> services = services();
		assertThat(serverNodes(services)).hasSizeGreaterThanOrEqualTo(2);
		assertThat(services.values()).extracting(s -> String.valueOf(s.get("image")))
				.anyMatch(image -> image.startsWith("postgres:16"))
				.anyMatch(image -> image.startsWith("opensearchproject/opensearch:2.") || image.contains("elasticsearch:8."))
				.anyMatch(image -> image.startsWith("nginx:"));
		services.forEach((name, service) -> assertThat(service).as(name).containsKey("healthcheck"));
		for (String node : serverNodes(services)) {
			assertThat(services.get(node)).as(node).containsKey("volumes");
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void everyVariableAServerNodeGetsIsAConfigurationKeyOfTheServer() throws IOException {
		Map<String, Map<String, Object>> services = services();
		for (String node : serverNodes(services)) {
			Map<String, Object> environment = (Map<String, Object>) services.get(node).get("environment");
			assertThat(environment).as(node).isNotEmpty()
					.containsKeys("SPRING_DATASOURCE_URL", "SAS_INDEX_BACKEND", "SAS_INDEX_ELASTICSEARCH_HOSTS");
			List<String> unknown = environment.keySet().stream().filter(v -> !keys.knowsEnvironmentVariable(v)).toList();
			assertThat(unknown).as(node + ": variables that are no configuration key").isEmpty();
			assertThat(environment.get("SAS_INDEX_BACKEND")).isEqualTo("elasticsearch");
			// the variables' documented form: each appears in the README's table
			String readme = Files.readString(Path.of("README.md"));
			assertThat(environment.keySet()).as(node).allSatisfy(v -> assertThat(readme)
					.as(v).containsAnyOf(v, v.replaceAll("_\\d+(_|$)", "_0$1"), v.replaceAll("_\\d+_[A-Z]+$", "_0_")));
		}
		assertThat(keys.knowsEnvironmentVariable("SAS_NO_SUCH_KEY")).isFalse();
	}

	@Test
	void theDockerfileBuildsFromTheRepositoryAndRunsAsAnotherUserThanRoot() throws IOException {
		List<String> lines = Files.readAllLines(DOCKER.resolve("Dockerfile"));
		assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).hasSizeGreaterThanOrEqualTo(2);
		assertThat(lines).anyMatch(l -> l.startsWith("HEALTHCHECK "));
		assertThat(lines).filteredOn(l -> l.startsWith("USER ")).last().asString().doesNotContain("root");
		for (String line : lines) {
			if (line.startsWith("COPY ") && !line.contains("--from=")) {
				String source = line.split("\\s+")[1];
				assertThat(Path.of(source)).as(line).exists();
			}
		}
	}

	@Test
	void theImageStartsFromTheAotCacheItTrainedWithTheSameJarAndOptions() throws IOException {
		String dockerfile = Files.readString(DOCKER.resolve("Dockerfile")).replace("\\\n", " ");
		Matcher training = Pattern.compile("(?:RUN|&&) \\S*aot-train\\.sh (\\S+)((?: -\\S+)*)").matcher(dockerfile);
		assertThat(training.find()).as("the Dockerfile trains the AOT cache").isTrue();
		String app = training.group(1);
		Matcher entry = Pattern.compile("(?m)^ENTRYPOINT (.*)$").matcher(dockerfile);
		assertThat(entry.find()).isTrue();
		List<String> command = List.of(entry.group(1).replaceAll("[\\[\\]\"]", "").split(",\\s*"));
		assertThat(command).contains("-XX:AOTCache=" + app + "/sas.aot", app + "/sas-fhir-server.jar");
		for (String option : training.group(2).trim().split("\\s+")) {
			assertThat(command).as("the training's JVM option " + option).contains(option);
		}
	}

	@Test
	void theLoadBalancerSpreadsOverTheComposeFilesServerNodes() throws IOException {
		String nginx = Files.readString(DOCKER.resolve("nginx.conf"));
		Matcher server = Pattern.compile("server ([a-z0-9-]+):8080").matcher(nginx);
		List<String> upstream = new ArrayList<>();
		while (server.find()) {
			upstream.add(server.group(1));
		}
		assertThat(upstream).containsExactlyInAnyOrderElementsOf(serverNodes(services()));
		assertThat(nginx).contains("proxy_set_header X-Sas-Client-Subject");
	}
}
