package fr.sas.fhir.warmup;

import fr.sas.fhir.common.CacheWarmer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.ApplicationContext;

/**
 * Before the server reports ready, it sends itself its own search paths through its real HTTP stack on the loopback
 * address: the guide's three slot searches (individual practitioners, CPTS, SOS Médecins), the contextual search
 * and a profile validation of a slot ({@code $validate}: nothing is stored), with identifiers and places of the
 * stored data, {@code sas.warmup.requests} of them or for {@code sas.warmup.max-time}. The JIT then compiles
 * Tomcat's, Spring Security's, HAPI's, the parsers' and the searches' hot paths before the first real request;
 * without it, the first thousands of searches after a start missed their targets (docs/operations.md).
 *
 * <p>An {@link ApplicationRunner}: Spring Boot reports the readiness state {@code ACCEPTING_TRAFFIC} only once the
 * runners have returned, and the web server is already listening; {@code /actuator/health/readiness} answers 503
 * meanwhile, liveness is already correct. Where the server requires client certificates or tokens the warm-up's
 * requests are refused (it has neither), which still warms the connector, TLS and the security filters. In
 * aggregator mode ({@code sas.aggregator.enabled}) the searches would go on to the publishers: no warm-up.
 */
class Warmup implements ApplicationRunner {

	private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
	private static final String RPPS = "urn:oid:1.2.250.1.71.4.2.1";
	private static final String SIRET = "urn:oid:1.2.250.1.71.4.2.2";
	/** Places of every size, by INSEE code, postal code and city, and coordinates (Paris, Lyon, Rennes, ...). */
	private static final List<String> PLACES = List.of("inseecode=75056", "postalcode=69001&city=Lyon",
			"latitude=48.11198&longitude=-1.68186", "inseecode=13055", "postalcode=31000&city=Toulouse",
			"latitude=47.21811&longitude=-1.55277", "inseecode=59350", "inseecode=35238",
			"latitude=44.83778&longitude=-0.57944", "inseecode=67482", "postalcode=06000&city=Nice",
			"inseecode=63113", "latitude=45.18333&longitude=0.71667", "inseecode=29019", "inseecode=97411");
	private static final List<String> FILTERS = List.of("", "&consultation-type=AMB", "&slot-type=PUBLIC",
			"&source=individual", "&specialty=urn:oid:1.2.250.1.213.2.28|SM54", "&source=sos", "&slot-type=CPTS");

	private final ApplicationContext context;
	private final WarmupProperties properties;
	private final Clock clock;
	private final ObjectMapper json;
	/** The contextual search's {@code origin}: the first LRM code accepted where they are listed. */
	private final String origin;

	Warmup(ApplicationContext context, WarmupProperties properties, Clock clock, ObjectMapper json) {
		this.context = context;
		this.properties = properties;
		this.clock = clock;
		this.json = json;
		this.origin = URLEncoder.encode(context.getEnvironment().getProperty("sas.contextual.origins[0]",
				context.getEnvironment().getProperty("sas.contextual.origins", "WARMUP")).split(",")[0].trim(),
				StandardCharsets.UTF_8);
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		int requests = properties.requestsToSend();
		if (!(context instanceof WebServerApplicationContext web) || web.getWebServer() == null
				|| web.getWebServer().getPort() <= 0 || requests <= 0) {
			return;
		}
		if (context.getEnvironment().getProperty("sas.aggregator.enabled", Boolean.class, false)) {
			// The searches would be sent on to the publishers' endpoints: not the server's to warm up with.
			LOG.info("Warm-up skipped: in aggregator mode the searches are the publishers' (sas.aggregator.enabled)");
			return;
		}
		AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
		String base = (secure(web.getWebServer()) ? "https" : "http") + "://127.0.0.1:" + web.getWebServer().getPort()
				+ "/fhir/";
		context.publishEvent(new WarmupStarting(this, base));
		// The stored data into the caches first: after a restart the first searches were slow for lack of it more
		// than for lack of compiled code.
		// One budget for them all: the snapshot read back first, then the store's reading of what it lacked.
		long preloadEnds = System.nanoTime() + properties.getPreloadMaxTime().toNanos();
		context.getBeanProvider(CacheWarmer.class).orderedStream().forEach(cache -> LOG.info("Warm-up, caches: {}",
				cache.warm(Duration.ofNanos(Math.max(0, preloadEnds - System.nanoTime())))));
		long started = System.nanoTime();
		HttpClient http = client(secure(web.getWebServer()));
		Samples samples = samples(http, base);
		Map<String, Integer> sent = new ConcurrentHashMap<>();
		Map<String, Integer> answered = new ConcurrentHashMap<>();
		long deadline = started + properties.getMaxTime().toNanos();
		AtomicInteger next = new AtomicInteger();
		int threads = Math.max(1, properties.getConcurrency());
		ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> new Thread(runnable, "warmup"));
		try {
			for (int t = 0; t < threads; t++) {
				pool.submit(() -> {
					for (int i = next.getAndIncrement(); i < requests && System.nanoTime() - deadline < 0;
							i = next.getAndIncrement()) {
						send(http, base, samples, i, sent, answered);
					}
				});
			}
			pool.shutdown();
			pool.awaitTermination(properties.getMaxTime().toMillis() + 30_000, TimeUnit.MILLISECONDS);
		} finally {
			pool.shutdownNow();
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		LOG.info("Warm-up: {} requests in {} ms before reporting ready (sent {}, answered 200 {})",
				sent.values().stream().mapToInt(Integer::intValue).sum(), took.toMillis(), new TreeMap<>(sent),
				new TreeMap<>(answered));
		context.publishEvent(new WarmupFinished(this, sent, answered, took));
	}

	/** The i-th request: the five kinds in turn, each with the next identifiers or place of the samples. */
	private void send(HttpClient http, String base, Samples samples, int i, Map<String, Integer> sent,
			Map<String, Integer> answered) {
		String kind;
		HttpRequest.Builder request;
		Instant now = clock.instant().truncatedTo(ChronoUnit.MINUTES);
		String from = now.toString();
		String to = now.plus(2, ChronoUnit.DAYS).toString();
		int round = i / 5;
		switch (i % 5) {
			case 0 -> {
				kind = "individual";
				request = get(base + "Slot?start=ge" + from + "&start=le" + to + "&status=free&_count=1000"
						+ "&schedule.actor:Practitioner.identifier=" + samples.practitioners(round, 8)
						+ "&_include=Slot:schedule&_include:iterate=Schedule:actor");
			}
			case 1 -> {
				kind = "cpts";
				request = get(base + "Slot?start=ge" + from + "&start=le" + to + "&status=free&_count=1000"
						+ "&schedule.actor:Practitioner.identifier=" + samples.practitioners(round + 7, 6)
						+ "&_include=Slot:schedule&_include:iterate=Schedule:actor&_include=Slot:service-type-reference"
						+ "&_include:iterate=HealthcareService:organization");
			}
			case 2 -> {
				kind = "sos";
				request = get(base + "Schedule?_revinclude=Slot:schedule&_include=Schedule:actor:Location"
						+ "&_include:iterate=Location:organization&_has:Slot:schedule:start=ge" + from
						+ "&_has:Slot:schedule:start=le" + to + "&_has:Slot:schedule:status=free"
						+ "&actor:Location.organization.identifier=" + samples.associations(round, 4) + "&_count=1000");
			}
			case 3 -> {
				kind = "contextual";
				String treating = round % 3 == 0 ? "&practitioner=" + samples.practitioners(round, 1) : "";
				request = get(base + "Slot/$contextual-search?origin=" + origin + "&" + PLACES.get(round % PLACES.size())
						+ treating + FILTERS.get(round % FILTERS.size()).replace("|", "%7C"));
			}
			default -> {
				if (samples.slot() == null) {
					return;
				}
				kind = "validate";
				request = HttpRequest.newBuilder(URI.create(base + "Slot/$validate"))
						.header("Content-Type", "application/fhir+json")
						.POST(HttpRequest.BodyPublishers.ofString(samples.slot()));
			}
		}
		sent.merge(kind, 1, Integer::sum);
		try {
			HttpResponse<byte[]> response = http.send(request.header("Accept", "application/fhir+json")
					.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
			if (response.statusCode() == 200) {
				answered.merge(kind, 1, Integer::sum);
			}
		} catch (java.io.IOException e) {
			LOG.debug("Warm-up {}: {}", kind, e.toString());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static HttpRequest.Builder get(String url) {
		return HttpRequest.newBuilder(URI.create(url)).GET();
	}

	/** Identifiers and a slot of the stored data; made-up identifiers where there are none (empty answers). */
	private Samples samples(HttpClient http, String base) {
		List<String> practitioners = identifiers(http, base + "Practitioner?_count=200&_elements=identifier", RPPS, "8");
		List<String> associations = identifiers(http, base + "Organization?identifier="
				+ URLEncoder.encode(SIRET + "|", StandardCharsets.UTF_8) + "&_count=200&_elements=identifier", SIRET, "3");
		String slot = null;
		JsonNode slots = read(http, base + "Slot?_count=1&status=free");
		if (slots != null && slots.path("entry").size() > 0) {
			slot = slots.path("entry").get(0).path("resource").toString();
		}
		return new Samples(
				practitioners.isEmpty() ? List.of(RPPS + "|810000000001", RPPS + "|810000000002") : practitioners,
				associations.isEmpty() ? List.of(SIRET + "|334173748400001") : associations, slot);
	}

	private List<String> identifiers(HttpClient http, String url, String system, String prefix) {
		List<String> found = new ArrayList<>();
		JsonNode bundle = read(http, url);
		if (bundle != null) {
			for (JsonNode entry : bundle.path("entry")) {
				for (JsonNode identifier : entry.path("resource").path("identifier")) {
					String value = identifier.path("value").asText("");
					if (system.equals(identifier.path("system").asText()) && value.startsWith(prefix)) {
						found.add(system + "|" + value);
					}
				}
			}
		}
		return found;
	}

	private JsonNode read(HttpClient http, String url) {
		try {
			HttpResponse<byte[]> response = http.send(get(url).header("Accept", "application/fhir+json")
					.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
			return response.statusCode() == 200 ? json.readTree(response.body()) : null;
		} catch (java.io.IOException e) {
			return null;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	private record Samples(List<String> practitioners, List<String> associations, String slot) {

		/** {@code count} identifiers from the {@code round}-th on, comma-separated, {@code |} encoded. */
		String practitioners(int round, int count) {
			return pick(practitioners, round * count, count);
		}

		String associations(int round, int count) {
			return pick(associations, round * count, count);
		}

		private static String pick(List<String> from, int start, int count) {
			IntFunction<String> at = k -> from.get(Math.floorMod(start + k, from.size())).replace("|", "%7C");
			StringBuilder joined = new StringBuilder();
			for (int k = 0; k < Math.min(count, from.size()); k++) {
				joined.append(k == 0 ? "" : ",").append(at.apply(k));
			}
			return joined.toString();
		}
	}

	private static boolean secure(WebServer server) {
		return server instanceof TomcatWebServer tomcat && tomcat.getTomcat().getConnector().getSecure();
	}

	/** On the loopback address to itself: the server's own certificate is trusted whatever its name. */
	private static HttpClient client(boolean secure) throws Exception {
		HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(10));
		if (secure) {
			SSLContext tls = SSLContext.getInstance("TLS");
			tls.init(null, new TrustManager[] {new X509TrustManager() {
				@Override
				public void checkClientTrusted(X509Certificate[] chain, String authType) {
				}

				@Override
				public void checkServerTrusted(X509Certificate[] chain, String authType) {
				}

				@Override
				public X509Certificate[] getAcceptedIssuers() {
					return new X509Certificate[0];
				}
			}}, new SecureRandom());
			SSLParameters parameters = new SSLParameters();
			parameters.setEndpointIdentificationAlgorithm(null);
			builder.sslContext(tls).sslParameters(parameters);
		}
		return builder.build();
	}
}
