package fr.sas.fhir.contextual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Street-level positions from the national address API (Base Adresse Nationale): {@code GET
 * <url>?q=<street>&citycode=<INSEE>&limit=1}, GeoJSON. A house number or street match with a score of at least
 * {@code sas.contextual.ban.min-score} gives the position; anything else (no match, a municipality-level match,
 * an error, a time-out) gives none, and the commune's position is used: a search never fails for the geocoder.
 */
public class BanGeocoder implements AddressGeocoder {

	private static final Logger LOG = LoggerFactory.getLogger(BanGeocoder.class);
	private static final Set<String> STREET_LEVEL = Set.of("housenumber", "street", "locality");

	private final HttpClient client;
	private final ContextualProperties.Ban settings;
	private final ObjectMapper json = new ObjectMapper();

	public BanGeocoder(ContextualProperties.Ban settings) {
		this.settings = settings;
		this.client = HttpClient.newBuilder().connectTimeout(settings.getTimeout()).build();
	}

	@Override
	public Optional<GeoPoint> locate(String street, Commune commune) {
		if (street == null || street.isBlank()) {
			return Optional.empty();
		}
		URI uri = URI.create(settings.getUrl() + "?q=" + URLEncoder.encode(street.trim(), StandardCharsets.UTF_8)
				+ "&citycode=" + URLEncoder.encode(commune.insee(), StandardCharsets.UTF_8) + "&limit=1");
		try {
			HttpResponse<String> response = client.send(
					HttpRequest.newBuilder(uri).timeout(settings.getTimeout()).header("Accept", "application/json").GET().build(),
					HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				LOG.warn("BAN answered {} for {}", response.statusCode(), uri);
				return Optional.empty();
			}
			JsonNode feature = json.readTree(response.body()).path("features").path(0);
			JsonNode properties = feature.path("properties");
			JsonNode coordinates = feature.path("geometry").path("coordinates");
			if (feature.isMissingNode() || !STREET_LEVEL.contains(properties.path("type").asText())
					|| properties.path("score").asDouble(0) < settings.getMinScore() || coordinates.size() != 2) {
				return Optional.empty();
			}
			return Optional.of(new GeoPoint(coordinates.get(1).asDouble(), coordinates.get(0).asDouble()));
		} catch (IOException | IllegalArgumentException e) {
			LOG.warn("BAN geocoding failed for {}: {}", uri, e.toString());
			return Optional.empty();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}
}
