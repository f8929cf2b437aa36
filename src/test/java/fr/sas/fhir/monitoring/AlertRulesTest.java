package fr.sas.fhir.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.UseCase;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Endpoint;
import org.junit.jupiter.api.Test;

/** The rules on every node's per-minute figures, without a server: which hold, and what they say. */
class AlertRulesTest {

	static final Instant NOW = Instant.parse("2026-05-07T08:30:20Z");
	static final MonitoringProperties DEFAULTS = new MonitoringProperties(true, Duration.ofMinutes(1), Duration.ofSeconds(5),
			Duration.ofMinutes(15), 5, Duration.ofMinutes(5), 0.25, 0.8, 0.1, Duration.ofDays(30), Duration.ofMinutes(10),
			Duration.ofDays(2), Duration.ZERO, List.of(), List.of(), "x@localhost",
			new MonitoringProperties.Relay(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(10)),
			new MonitoringProperties.PushedWrites(Duration.ofHours(2), 24, 18),
			new MonitoringProperties.RefusedWrites(Duration.ofHours(1), 10, 0.5));
	static final PublisherEndpoint ENDPOINT = new PublisherEndpoint("ep", "1", "Éditeur", URI.create("https://ep.example/fhir"),
			EnumSet.of(UseCase.INDIVIDUAL), Endpoint.EndpointStatus.ACTIVE, "recette", Duration.ofSeconds(1), null, null, null,
			null, List.of());

	final AlertRules rules = new AlertRules(DEFAULTS);
	final List<CallMinute> rows = new ArrayList<>();

	void minute(int minutesAgo, Consumer<MinuteFigures> figures) {
		MinuteFigures f = new MinuteFigures();
		figures.accept(f);
		CallMinute row = new CallMinute("ep", "individual", NOW.minus(Duration.ofMinutes(minutesAgo)).truncatedTo(ChronoUnit.MINUTES), "n1");
		row.add(f);
		rows.add(row);
	}

	static void answered(MinuteFigures f, int calls, long millis) {
		f.calls += calls;
		f.answered += calls;
		f.latencies[Latencies.bucket(millis)] += calls;
		f.elapsedMillis += calls * millis;
	}

	static void failed(MinuteFigures f, int calls) {
		f.calls += calls;
		f.failures += calls;
		f.httpErrors += calls;
		f.latencies[Latencies.bucket(20)] += calls;
		f.lastError = "answered HTTP 500 in 20 ms — GET https://ep.example/fhir/Slot?x";
	}

	Map<AlertRule, List<String>> holding() {
		return rules.holding(ENDPOINT, rows, NOW, null);
	}

	@Test
	void aHealthyEndpointRaisesNothing() {
		for (int m = 14; m >= 0; m--) {
			minute(m, f -> answered(f, 10, 120));
		}
		assertThat(holding()).isEmpty();
	}

	@Test
	void anErrorRateOverTheThresholdIsMajorWithItsFigures() {
		minute(10, f -> answered(f, 6, 100));
		minute(5, f -> failed(f, 4));
		minute(1, f -> answered(f, 1, 100));
		assertThat(holding()).containsOnlyKeys(AlertRule.ERROR_RATE);
		assertThat(holding().get(AlertRule.ERROR_RATE)).first().asString().contains("4 appels en échec sur 11 (36 %");
		assertThat(holding().get(AlertRule.ERROR_RATE)).anyMatch(l -> l.contains("GET https://ep.example/fhir/Slot?x"));
	}

	@Test
	void aSlowEndpointIsMajorWhenItsP95PassesTheShareOfItsBudget() {
		minute(3, f -> answered(f, 10, 900)); // budget 1 s, 80 %: 800 ms
		assertThat(holding()).containsOnlyKeys(AlertRule.LATENCY);
		assertThat(holding().get(AlertRule.LATENCY).get(0)).contains("p95 1000 ms").contains("budget 800 ms (80 % de 1000 ms)");
	}

	@Test
	void invalidAnswersAreMinor() {
		minute(3, f -> {
			answered(f, 10, 100);
			f.checked = 10;
			f.invalid = 1;
			f.withDrops = 1;
			f.dropped = 7;
		});
		assertThat(holding()).containsOnlyKeys(AlertRule.INVALID_ANSWERS);
	}

	@Test
	void aCertificateExpiringWithinThirtyDaysIsMinor() {
		minute(3, f -> {
			answered(f, 1, 100);
			f.certificateNotAfter = NOW.plus(Duration.ofDays(12));
		});
		assertThat(holding()).containsOnlyKeys(AlertRule.CERTIFICATE_EXPIRY);
	}

	@Test
	void everyCallFailingForFiveMinutesIsBlockingAndNotAlsoAnErrorRate() {
		minute(8, f -> answered(f, 5, 100));
		minute(6, f -> failed(f, 3));
		minute(3, f -> failed(f, 3));
		minute(0, f -> f.notCalled = 4); // the breaker skips it now: still failing
		assertThat(holding()).containsOnlyKeys(AlertRule.UNREACHABLE);
		assertThat(holding().get(AlertRule.UNREACHABLE).get(0)).contains("tous les appels échouent depuis").contains("4 évités par le disjoncteur");
	}

	@Test
	void failingForLessThanFiveMinutesIsNotYetUnreachable() {
		minute(8, f -> answered(f, 5, 100));
		minute(3, f -> failed(f, 3));
		assertThat(holding()).doesNotContainKey(AlertRule.UNREACHABLE);
	}

	@Test
	void anAnswerEndsTheOutage() {
		minute(9, f -> failed(f, 3));
		minute(6, f -> failed(f, 3));
		minute(1, f -> answered(f, 1, 100));
		assertThat(holding()).doesNotContainKey(AlertRule.UNREACHABLE);
	}

	@Test
	void theRatesDoNotCountAgainTheOutageOfAnUnreachableAlert() {
		minute(9, f -> failed(f, 6));
		minute(2, f -> answered(f, 6, 100));
		assertThat(holding()).containsKey(AlertRule.ERROR_RATE);
		assertThat(rules.holding(ENDPOINT, rows, NOW, NOW.minus(Duration.ofMinutes(3)))).isEmpty();
	}
}
