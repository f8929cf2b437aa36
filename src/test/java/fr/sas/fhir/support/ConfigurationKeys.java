package fr.sas.fhir.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every configuration key the server has, as Spring Boot's configuration metadata lists them: the server's own
 * (generated from its {@code @ConfigurationProperties} classes, plus {@code additional-spring-configuration-metadata.json}
 * for the few read by {@code @Value}) and Spring Boot's. Environment variables are matched as Spring's relaxed
 * binding reads them.
 */
public final class ConfigurationKeys {

	/** Key name to its declared type. */
	private final Map<String, String> keys = new TreeMap<>();

	private ConfigurationKeys() {}

	public static ConfigurationKeys load() {
		ConfigurationKeys loaded = new ConfigurationKeys();
		ObjectMapper mapper = new ObjectMapper();
		try {
			for (String file : new String[] {"META-INF/spring-configuration-metadata.json",
					"META-INF/additional-spring-configuration-metadata.json"}) {
				for (URL url : Collections.list(ConfigurationKeys.class.getClassLoader().getResources(file))) {
					try (InputStream in = url.openStream()) {
						for (JsonNode property : mapper.readTree(in).path("properties")) {
							loaded.keys.put(property.path("name").asText(), property.path("type").asText(""));
						}
					}
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return loaded;
	}

	public Map<String, String> all() {
		return Collections.unmodifiableMap(keys);
	}

	/** Whether a key (or a list index or map entry below one, {@code sas.contextual.radius.48}) is known. */
	public boolean knowsKey(String key) {
		String wanted = canonical(key);
		return keys.entrySet().stream().anyMatch(k -> matches(canonical(k.getKey()), k.getValue(), wanted));
	}

	/** Whether an environment variable binds to a known key ({@code SAS_SECURITY_CLIENTS_0_ID}, {@code SERVER_PORT}). */
	public boolean knowsEnvironmentVariable(String variable) {
		return knowsKey(variable.replace('_', '.'));
	}

	private static boolean matches(String key, String type, String wanted) {
		if (key.equals(wanted)) {
			return true;
		}
		boolean container = type.startsWith("java.util.List") || type.startsWith("java.util.Map")
				|| type.startsWith("java.util.Set") || type.endsWith("[]");
		return container && wanted.startsWith(key) && !wanted.substring(key.length()).isEmpty();
	}

	/** Spring's uniform form: lower case, without dashes, dots, underscores or brackets. */
	private static String canonical(String key) {
		return key.toLowerCase(Locale.ROOT).replaceAll("[-._\\[\\]]", "");
	}
}
