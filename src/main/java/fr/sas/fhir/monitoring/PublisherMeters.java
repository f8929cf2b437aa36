package fr.sas.fhir.monitoring;

import fr.sas.fhir.publishers.CallOutcome;
import fr.sas.fhir.publishers.CheckedAnswer;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherCallListener;
import fr.sas.fhir.publishers.PublisherClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The meters of the publishers' calls, tagged by endpoint id, use case and outcome (low cardinality: a few dozen
 * endpoints, three use cases, eight outcomes), and the per-minute figures the rules read ({@link CallWindow}).
 * Called on the client's threads: counters and a map, never the database.
 */
public class PublisherMeters implements PublisherCallListener {

	static final String CALLS = "sas.publisher.calls";
	static final String HTTP_ERRORS = "sas.publisher.http.errors";
	static final String TIMEOUTS = "sas.publisher.timeouts";
	static final String TLS_ERRORS = "sas.publisher.tls.errors";
	static final String ANSWERS = "sas.publisher.answers";
	static final String DROPPED = "sas.publisher.entries.dropped";
	static final String CERTIFICATE = "sas.publisher.certificate.expiry";
	static final String BREAKER = "sas.publisher.breaker.state";

	private final MeterRegistry meters;
	private final CallWindow window;
	private final PublisherClient client;
	private final Clock clock;
	private final Map<String, Instant> certificates = new ConcurrentHashMap<>();
	private final Map<String, Boolean> breakers = new ConcurrentHashMap<>();

	PublisherMeters(MeterRegistry meters, CallWindow window, PublisherClient client, Clock clock) {
		this.meters = meters;
		this.window = window;
		this.client = client;
		this.clock = clock;
	}

	@Override
	public void called(PublisherCall call) {
		String endpoint = call.endpoint().id();
		String useCase = CallWindow.useCase(call);
		String outcome = call.outcome().name().toLowerCase(Locale.ROOT);
		Timer.builder(CALLS).description("calls to publishers' endpoints, by how they ended")
				.tags("endpoint", endpoint, "use_case", useCase, "outcome", outcome)
				.publishPercentileHistogram().register(meters).record(call.elapsed());
		if (call.outcome() == CallOutcome.HTTP_ERROR) {
			meters.counter(HTTP_ERRORS, "endpoint", endpoint, "use_case", useCase, "status", Integer.toString(call.status())).increment();
		} else if (call.outcome() == CallOutcome.TIMEOUT) {
			meters.counter(TIMEOUTS, "endpoint", endpoint, "use_case", useCase).increment();
		} else if (call.outcome() == CallOutcome.TLS_ERROR) {
			meters.counter(TLS_ERRORS, "endpoint", endpoint, "use_case", useCase).increment();
		}
		if (call.certificateNotAfter() != null && certificates.put(endpoint, call.certificateNotAfter()) == null) {
			Gauge.builder(CERTIFICATE, certificates, c -> c.containsKey(endpoint)
							? c.get(endpoint).getEpochSecond() - clock.instant().getEpochSecond() : Double.NaN)
					.description("seconds until the endpoint's TLS server certificate expires").baseUnit("seconds")
					.tag("endpoint", endpoint).register(meters);
		}
		if (breakers.putIfAbsent(endpoint, Boolean.TRUE) == null) {
			Gauge.builder(BREAKER, client, c -> breakerValue(c.breakerState(endpoint)))
					.description("the endpoint's circuit breaker: 0 closed, 1 open, 2 half open, 3 other")
					.tag("endpoint", endpoint).register(meters);
		}
		window.called(call);
	}

	@Override
	public void checked(CheckedAnswer answer) {
		String endpoint = answer.call().endpoint().id();
		String useCase = CallWindow.useCase(answer.call());
		String result = !answer.usable() ? "invalid" : answer.slots() == 0 ? "empty" : "usable";
		meters.counter(ANSWERS, "endpoint", endpoint, "use_case", useCase, "result", result).increment();
		answer.dropped().forEach((rule, count) ->
				meters.counter(DROPPED, "endpoint", endpoint, "use_case", useCase, "rule", rule).increment(count));
		window.checked(answer);
	}

	static double breakerValue(String state) {
		return switch (state) {
			case "CLOSED" -> 0;
			case "OPEN" -> 1;
			case "HALF_OPEN" -> 2;
			default -> 3;
		};
	}
}
