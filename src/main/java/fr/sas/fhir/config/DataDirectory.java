package fr.sas.fhir.config;

import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes {@code sas.data-dir} absolute, resolved against the working directory, before anything reads it: H2
 * refuses a file URL that is implicitly relative ({@code jdbc:h2:file:data/h2/sas}), and the README promises
 * that the embedded default keeps its files under {@code ./data/} of the directory it is started from.
 * Registered in {@code META-INF/spring.factories}; runs after every configuration source has been read.
 */
public class DataDirectory implements EnvironmentPostProcessor, Ordered {

	static final String KEY = "sas.data-dir";
	static final String DEFAULT = "data";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String configured = environment.getProperty(KEY, DEFAULT);
		String absolute = Path.of(configured.isBlank() ? DEFAULT : configured).toAbsolutePath().normalize().toString();
		environment.getPropertySources().addFirst(new MapPropertySource("sasAbsoluteDataDir", Map.of(KEY, absolute)));
	}

	@Override
	public int getOrder() {
		// After ConfigDataEnvironmentPostProcessor (application.yaml, profiles) has added its sources.
		return Ordered.LOWEST_PRECEDENCE;
	}
}
