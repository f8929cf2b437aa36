package fr.sas.fhir.config;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.ConfigurationKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's configuration table and the keys the server really has cannot drift apart. */
class ConfigurationKeysTest {

	private static final Pattern CODE = Pattern.compile("`([^`]+)`");
	private final ConfigurationKeys keys = ConfigurationKeys.load();

	@Test
	void everyKeyOfTheServerIsDocumentedInTheReadme() throws IOException {
		Set<String> mentioned = new LinkedHashSet<>();
		for (String line : Files.readAllLines(Path.of("README.md"))) {
			mentioned.addAll(keysIn(line));
		}
		List<String> undocumented = keys.all().keySet().stream()
				.filter(key -> key.startsWith("sas."))
				.filter(key -> mentioned.stream().noneMatch(m -> m.equals(key) || m.startsWith(key + "[") || m.startsWith(key + ".<")))
				.toList();
		assertThat(undocumented).as("keys the README does not mention").isEmpty();
	}

	@Test
	void everyKeyOfTheReadmeTableIsAKeyOfTheServer() throws IOException {
		List<String> unknown = readmeTableKeys().stream().filter(key -> !keys.knowsKey(key)).toList();
		assertThat(readmeTableKeys()).hasSizeGreaterThan(40);
		assertThat(unknown).as("README keys the server does not have").isEmpty();
	}

	/** The table's first column's keys, placeholders replaced ({@code [n]} by {@code [0]}, {@code <code>} by x). */
	static Set<String> readmeTableKeys() throws IOException {
		Set<String> found = new LinkedHashSet<>();
		for (String line : Files.readAllLines(Path.of("README.md"))) {
			if (line.startsWith("| `")) {
				keysIn(line.split("\\|")[1]).forEach(key ->
						found.add(key.replaceAll("\\[n\\]", "[0]").replaceAll("\\.<[^>]*>", ".x")));
			}
		}
		return found;
	}

	/** The keys quoted in a text: {@code a.b.c}, and {@code .d} after it standing for {@code a.b.d}. */
	private static Set<String> keysIn(String text) {
		Set<String> found = new LinkedHashSet<>();
		String previous = null;
		Matcher code = CODE.matcher(text);
		while (code.find()) {
			String key = code.group(1);
			if (key.startsWith(".") && previous != null) {
				key = previous.substring(0, previous.lastIndexOf('.')) + key;
			}
			if (key.matches("[a-z][a-z0-9-]*(\\.[a-z0-9<>\\[\\]A-Zé-]+)+")) {
				previous = key;
				found.add(key);
			}
		}
		return found;
	}
}
