package fr.sas.fhir.aggregator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code sas.aggregator.*}: the platform's pull. The guide's three slot searches and the contextual search are
 * sent to the publishers' endpoints of the registry, in parallel, and their answers checked and merged.
 */
@ConfigurationProperties(prefix = "sas.aggregator")
public class AggregatorProperties {

	/** Where slots come from: {@code store}, {@code publishers}, or both (merged). */
	public enum Source {
		STORE,
		PUBLISHERS
	}

	/** The aggregator mode; off, searches are answered from the store only. */
	private boolean enabled = false;
	/** The sources of the guide's searches and of the contextual search, when the aggregator is on. */
	private List<Source> sources = new ArrayList<>(List.of(Source.STORE, Source.PUBLISHERS));
	/** Budget of one of the guide's searches as a whole; a publisher that has not answered by then is left out. */
	private Duration searchBudget = Duration.ofSeconds(7);
	/** Budget of a contextual search's calls to publishers, all batches together. */
	private Duration contextualBudget = Duration.ofSeconds(2);
	/** Most practitioners named in one call (the guide: 1 to 25). */
	private int practitionersPerCall = 25;
	/** Most SOS Médecins associations named in one call (the guide: 10). */
	private int associationsPerCall = 10;
	/** The offset the window's bounds are written with in the requests to publishers (the guide's pages: +01:00/+02:00). */
	private String zone = "Europe/Paris";
	private final Routing routing = new Routing();
	private final Cache cache = new Cache();

	/** Who answers for whom: a batch goes to the endpoints that returned slots for its practitioners. */
	public static class Routing {
		/** Learn and use routes; off, every search goes to every endpoint of its use case. */
		private boolean enabled = true;
		/** Share of searches sent to every endpoint anyway (new practitioners, a practitioner changing software). */
		private double fullFanOutRate = 0.05;
		/** How long an endpoint stays the route of a practitioner after it last returned slots for it. */
		private Duration routeTtl = Duration.ofDays(7);
		/** How long a practitioner no endpoint returned slots for is not asked again (but by the full fan-outs). */
		private Duration nobodyTtl = Duration.ofMinutes(30);
		/** How long a node keeps what it read of the routes before reading them again (other nodes learn too). */
		private Duration refresh = Duration.ofSeconds(30);

		public boolean isEnabled() {
			return enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public double getFullFanOutRate() {
			return fullFanOutRate;
		}

		public void setFullFanOutRate(double fullFanOutRate) {
			this.fullFanOutRate = fullFanOutRate;
		}

		public Duration getRouteTtl() {
			return routeTtl;
		}

		public void setRouteTtl(Duration routeTtl) {
			this.routeTtl = routeTtl;
		}

		public Duration getNobodyTtl() {
			return nobodyTtl;
		}

		public void setNobodyTtl(Duration nobodyTtl) {
			this.nobodyTtl = nobodyTtl;
		}

		public Duration getRefresh() {
			return refresh;
		}

		public void setRefresh(Duration refresh) {
			this.refresh = refresh;
		}
	}

	/** A short cache of publishers' answers, per node: a withdrawn slot is never served longer than its time. */
	public static class Cache {
		/** How long an answer is reused; 0 turns the cache off. */
		private Duration ttl = Duration.ofSeconds(10);
		/** Most answers kept. */
		private int maxEntries = 5000;

		public Duration getTtl() {
			return ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public int getMaxEntries() {
			return maxEntries;
		}

		public void setMaxEntries(int maxEntries) {
			this.maxEntries = maxEntries;
		}
	}

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<Source> getSources() {
		return sources;
	}

	public void setSources(List<Source> sources) {
		this.sources = sources;
	}

	public boolean uses(Source source) {
		return enabled && sources.contains(source);
	}

	public Duration getSearchBudget() {
		return searchBudget;
	}

	public void setSearchBudget(Duration searchBudget) {
		this.searchBudget = searchBudget;
	}

	public Duration getContextualBudget() {
		return contextualBudget;
	}

	public void setContextualBudget(Duration contextualBudget) {
		this.contextualBudget = contextualBudget;
	}

	public int getPractitionersPerCall() {
		return practitionersPerCall;
	}

	public void setPractitionersPerCall(int practitionersPerCall) {
		this.practitionersPerCall = practitionersPerCall;
	}

	public int getAssociationsPerCall() {
		return associationsPerCall;
	}

	public void setAssociationsPerCall(int associationsPerCall) {
		this.associationsPerCall = associationsPerCall;
	}

	public String getZone() {
		return zone;
	}

	public void setZone(String zone) {
		this.zone = zone;
	}

	public Routing getRouting() {
		return routing;
	}

	public Cache getCache() {
		return cache;
	}
}
