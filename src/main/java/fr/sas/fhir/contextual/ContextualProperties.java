package fr.sas.fhir.contextual;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code sas.contextual.*}: the contextual search (INT_L01) and its geocoding. */
@ConfigurationProperties(prefix = "sas.contextual")
public class ContextualProperties {

	/** The contextual search and its reference tables; {@code false} leaves them out. */
	private boolean enabled = true;
	/** The LRM codes accepted as {@code origin}; empty: any origin is accepted (and recorded). */
	private List<String> origins = new ArrayList<>();
	/** The commune reference table (TSV, see {@code reference/README.md}). */
	private String communes = "classpath:reference/communes.tsv";
	/** The département table: barycentre, covering radius, default search radius. */
	private String departements = "classpath:reference/departements.tsv";
	/** Default search radius in km by département code, over the table's ({@code sas.contextual.radius.75=3}). */
	private Map<String, Double> radius = new HashMap<>();
	/** Longest search window ({@code start} to {@code end}). */
	private Duration maxWindow = Duration.ofDays(7);
	/** The time zone of "today" (default window, the neutral draw's day) and of dates given without an offset. */
	private String zone = "Europe/Paris";
	private final Ban ban = new Ban();

	/** The national address API (Base Adresse Nationale), for street-level positions; off by default. */
	public static class Ban {
		private boolean enabled = false;
		/** The geocoding endpoint answering {@code ?q=...&citycode=...&limit=1} in GeoJSON. */
		private String url = "https://data.geopf.fr/geocodage/search";
		private Duration timeout = Duration.ofSeconds(2);
		/** Lowest BAN score taken as the address's position; below it the commune's position is used. */
		private double minScore = 0.5;

		public boolean isEnabled() {
			return enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getUrl() {
			return url;
		}

		public void setUrl(String url) {
			this.url = url;
		}

		public Duration getTimeout() {
			return timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public double getMinScore() {
			return minScore;
		}

		public void setMinScore(double minScore) {
			this.minScore = minScore;
		}
	}

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<String> getOrigins() {
		return origins;
	}

	public void setOrigins(List<String> origins) {
		this.origins = origins;
	}

	public String getCommunes() {
		return communes;
	}

	public void setCommunes(String communes) {
		this.communes = communes;
	}

	public String getDepartements() {
		return departements;
	}

	public void setDepartements(String departements) {
		this.departements = departements;
	}

	public Map<String, Double> getRadius() {
		return radius;
	}

	public void setRadius(Map<String, Double> radius) {
		this.radius = radius;
	}

	public Duration getMaxWindow() {
		return maxWindow;
	}

	public void setMaxWindow(Duration maxWindow) {
		this.maxWindow = maxWindow;
	}

	public String getZone() {
		return zone;
	}

	public void setZone(String zone) {
		this.zone = zone;
	}

	public Ban getBan() {
		return ban;
	}
}
