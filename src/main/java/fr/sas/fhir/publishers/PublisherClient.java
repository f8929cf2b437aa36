package fr.sas.fhir.publishers;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The one client that calls publishers' endpoints: the JDK's HTTP client (connections kept and reused, HTTP/2 where
 * the endpoint negotiates it, asynchronous on a few threads: never a thread per call), one per client certificate;
 * per endpoint a resilience4j circuit breaker (repeated failures: its calls are skipped for a while, then probed)
 * and a bulkhead (at most {@code max-concurrent-calls} in flight; more are refused at once); reads retried when the
 * connection failed before any answer, within the call's budget. A call never throws: it ends with a
 * {@link PublisherCall} saying how, and every listener is told.
 */
public class PublisherClient implements DisposableBean {

	/** Sent with every call, so that a server of ours in aggregator mode answers from its store (no loop). */
	public static final String AGGREGATED_HEADER = "X-Sas-Aggregated-By";
	private static final Logger LOG = LoggerFactory.getLogger(PublisherClient.class);

	private final PublishersProperties properties;
	private final ClientCertificates certificates;
	private final Clock clock;
	private final ObjectProvider<PublisherCallListener> listeners;
	private final String node;
	private final ExecutorService executor;
	private final ScheduledExecutorService timer;
	private final CircuitBreakerRegistry breakers;
	private final BulkheadRegistry bulkheads;
	private final Retry retry;
	private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

	public PublisherClient(PublishersProperties properties, ClientCertificates certificates, Clock clock,
			ObjectProvider<PublisherCallListener> listeners, String node) {
		this.properties = properties;
		this.certificates = certificates;
		this.clock = clock;
		this.listeners = listeners;
		this.node = node;
		AtomicInteger threads = new AtomicInteger();
		this.executor = Executors.newFixedThreadPool(Math.max(1, properties.getClientThreads()), r -> daemon(r,
				"publisher-client-" + threads.incrementAndGet()));
		this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "publisher-client-timer"));
		PublishersProperties.CircuitBreaker b = properties.getCircuitBreaker();
		this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
				.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
				.slidingWindowSize(b.getSlidingWindow())
				.minimumNumberOfCalls(b.getMinimumCalls())
				.failureRateThreshold(b.getFailureRateThreshold())
				.waitDurationInOpenState(b.getOpenDuration())
				.permittedNumberOfCallsInHalfOpenState(b.getProbeCalls())
				.build());
		this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
				.maxConcurrentCalls(properties.getMaxConcurrentCalls())
				.maxWaitDuration(Duration.ZERO)
				.build());
		this.retry = Retry.of("publishers", RetryConfig.<HttpResponse<byte[]>>custom()
				.maxAttempts(Math.max(1, properties.getRetry().getMaxAttempts()))
				.waitDuration(properties.getRetry().getWait())
				.retryOnException(PublisherClient::connectionFailedBeforeAnswer)
				.failAfterMaxAttempts(false)
				.build());
	}

	private static Thread daemon(Runnable r, String name) {
		Thread thread = new Thread(r, name);
		thread.setDaemon(true);
		return thread;
	}

	/** A FHIR read or search ({@code relative} to the endpoint's base), within {@code budget}. */
	public CompletableFuture<PublisherCall> get(PublisherEndpoint endpoint, UseCase useCase, String relative, Duration budget) {
		return send(endpoint, useCase, "GET", relative, null, null, budget);
	}

	/**
	 * A call of any method; only GETs are retried. {@code body} and {@code contentType} null for none. The budget is
	 * the endpoint's when null, and never more.
	 */
	public CompletableFuture<PublisherCall> send(PublisherEndpoint endpoint, UseCase useCase, String method, String relative,
			byte[] body, String contentType, Duration budget) {
		Duration allowed = budget == null || budget.compareTo(endpoint.timeBudget()) > 0 ? endpoint.timeBudget() : budget;
		String url = endpoint.url(relative);
		Instant startedAt = clock.instant();
		long start = System.nanoTime();
		CircuitBreaker breaker = breakers.circuitBreaker(endpoint.id());
		if (!breaker.tryAcquirePermission()) {
			return doneAndTold(new PublisherCall(endpoint, useCase, url, startedAt, Duration.ZERO, CallOutcome.SHORT_CIRCUITED, 0,
					null, new byte[0], "circuit breaker open", null, null));
		}
		Bulkhead bulkhead = bulkheads.bulkhead(endpoint.id());
		if (!bulkhead.tryAcquirePermission()) {
			breaker.releasePermission();
			return doneAndTold(new PublisherCall(endpoint, useCase, url, startedAt, Duration.ZERO, CallOutcome.BULKHEAD_FULL, 0,
					null, new byte[0], properties.getMaxConcurrentCalls() + " calls in flight", null, null));
		}
		long deadline = start + allowed.toNanos();
		HttpRequest.Builder request;
		try {
			request = HttpRequest.newBuilder(URI.create(url))
					.header("Accept", "application/fhir+json")
					.header("User-Agent", "sas-fhir-server")
					.header(AGGREGATED_HEADER, node);
			for (String header : endpoint.headers()) {
				int colon = header.indexOf(':');
				if (colon > 0) {
					request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
				}
			}
			request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
			if (contentType != null) {
				request.header("Content-Type", contentType);
			}
		} catch (IllegalArgumentException badUrl) {
			bulkhead.onComplete();
			breaker.releasePermission();
			return doneAndTold(failed(endpoint, useCase, url, startedAt, start, CallOutcome.CONNECTION_ERROR, "bad URL: " + badUrl.getMessage()));
		}
		HttpClient client;
		try {
			client = clients.computeIfAbsent(endpoint.certificateAlias() == null ? "" : endpoint.certificateAlias(), this::client);
		} catch (IllegalStateException noCertificate) {
			bulkhead.onComplete();
			breaker.releasePermission();
			return doneAndTold(failed(endpoint, useCase, url, startedAt, start, CallOutcome.TLS_ERROR, noCertificate.getMessage()));
		}
		HttpRequest.Builder ready = request;
		java.util.function.Supplier<CompletionStage<HttpResponse<byte[]>>> attempt = () -> exchange(client, ready, deadline);
		CompletionStage<HttpResponse<byte[]>> stage = "GET".equals(method)
				? Retry.decorateCompletionStage(retry, timer, attempt).get()
				: attempt.get();
		return stage.handle((response, thrown) -> {
			bulkhead.onComplete();
			PublisherCall call = response != null
					? answered(endpoint, useCase, url, startedAt, start, response)
					: failed(endpoint, useCase, url, startedAt, start, classify(thrown, url), describe(thrown, url));
			long elapsed = System.nanoTime() - start;
			if (call.outcome().failure() && !(call.outcome() == CallOutcome.HTTP_ERROR && call.status() < 500)) {
				breaker.onError(elapsed, TimeUnit.NANOSECONDS, new CallFailed(call.outcome()));
			} else {
				breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
			}
			tell(call);
			return call;
		}).toCompletableFuture();
	}

	/** The state of an endpoint's circuit breaker ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}...). */
	public String breakerState(String endpointId) {
		return breakers.circuitBreaker(endpointId).getState().name();
	}

	/** Forgets what the breaker saw of an endpoint (it was changed or re-activated by an operator). */
	public void reset(String endpointId) {
		breakers.circuitBreaker(endpointId).reset();
	}

	private CompletionStage<HttpResponse<byte[]>> exchange(HttpClient client, HttpRequest.Builder request, long deadline) {
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			return CompletableFuture.failedFuture(new HttpTimeoutException("time budget spent"));
		}
		CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.copy().timeout(Duration.ofNanos(remaining)).build(),
				info -> new LimitedBody(properties.getMaxAnswerSize().toBytes()));
		// The budget covers the whole answer, its body too: cancelling the exchange aborts it (a time-out).
		var cancel = timer.schedule(() -> exchange.cancel(true), remaining, TimeUnit.NANOSECONDS);
		exchange.whenComplete((r, t) -> cancel.cancel(false));
		return exchange;
	}

	private HttpClient client(String alias) {
		return HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_2)
				.connectTimeout(properties.getConnectTimeout())
				.followRedirects(HttpClient.Redirect.NEVER)
				.sslContext(certificates.context(alias.isEmpty() ? null : alias))
				.executor(executor)
				.build();
	}

	private PublisherCall answered(PublisherEndpoint endpoint, UseCase useCase, String url, Instant startedAt, long start,
			HttpResponse<byte[]> response) {
		Instant notAfter = response.sslSession().map(session -> {
			try {
				Certificate[] chain = session.getPeerCertificates();
				return chain.length > 0 && chain[0] instanceof X509Certificate x ? x.getNotAfter().toInstant() : null;
			} catch (javax.net.ssl.SSLPeerUnverifiedException e) {
				return null;
			}
		}).orElse(null);
		int status = response.statusCode();
		return new PublisherCall(endpoint, useCase, url, startedAt, Duration.ofNanos(System.nanoTime() - start),
				status >= 200 && status < 300 ? CallOutcome.ANSWERED : CallOutcome.HTTP_ERROR, status,
				response.headers().firstValue("Content-Type").orElse(null), response.body(), null, notAfter,
				response.version().name(), response.headers().firstValue("Location").orElse(null));
	}

	private static PublisherCall failed(PublisherEndpoint endpoint, UseCase useCase, String url, Instant startedAt, long start,
			CallOutcome outcome, String error) {
		return new PublisherCall(endpoint, useCase, url, startedAt, Duration.ofNanos(System.nanoTime() - start), outcome, 0,
				null, new byte[0], error, null, null);
	}

	private void tell(PublisherCall call) {
		listeners.forEach(listener -> {
			try {
				listener.called(call);
			} catch (RuntimeException e) {
				LOG.warn("a listener of publisher calls failed", e);
			}
		});
	}

	/** Tells every listener what a caller found in an answer. */
	public void tell(CheckedAnswer answer) {
		listeners.forEach(listener -> {
			try {
				listener.checked(answer);
			} catch (RuntimeException e) {
				LOG.warn("a listener of publisher answers failed", e);
			}
		});
	}

	private static CompletableFuture<PublisherCall> done(PublisherCall call) {
		return CompletableFuture.completedFuture(call);
	}

	private CompletableFuture<PublisherCall> doneAndTold(PublisherCall call) {
		tell(call);
		return done(call);
	}

	/**
	 * Over TLS 1.3 a server refusing the client's certificate (none, unknown, expired, revoked) does so after the
	 * client's side of the handshake: the client sees the session closed before any answer, which is counted as a TLS
	 * error.
	 */
	static CallOutcome classify(Throwable thrown, String url) {
		CallOutcome outcome = classify(thrown);
		return outcome == CallOutcome.CONNECTION_ERROR && url.startsWith("https:") && closedBeforeAnswer(thrown)
				? CallOutcome.TLS_ERROR : outcome;
	}

	private static boolean closedBeforeAnswer(Throwable thrown) {
		for (Throwable t = unwrap(thrown); t != null; t = t.getCause()) {
			if (t instanceof java.io.EOFException || (t.getMessage() != null && t.getMessage().contains("received no bytes"))) {
				return true;
			}
		}
		return false;
	}

	private static String describe(Throwable thrown, String url) {
		String text = describe(thrown);
		return classify(thrown, url) == CallOutcome.TLS_ERROR && classify(thrown) != CallOutcome.TLS_ERROR
				? "the TLS session closed before any answer (the endpoint refused the client certificate, or none was "
						+ "presented): " + text
				: text;
	}

	static CallOutcome classify(Throwable thrown) {
		for (Throwable t = unwrap(thrown); t != null; t = t.getCause()) {
			if (t instanceof HttpTimeoutException || t instanceof TimeoutException || t instanceof CancellationException) {
				return CallOutcome.TIMEOUT;
			}
			if (t instanceof AnswerTooLarge) {
				return CallOutcome.TOO_LARGE;
			}
			if (t instanceof SSLException) {
				return CallOutcome.TLS_ERROR;
			}
		}
		return CallOutcome.CONNECTION_ERROR;
	}

	private static String describe(Throwable thrown) {
		Throwable t = unwrap(thrown);
		StringBuilder text = new StringBuilder();
		for (Throwable c = t; c != null && text.length() < 300; c = c.getCause()) {
			if (c.getMessage() != null && !text.toString().contains(c.getMessage())) {
				text.append(text.length() == 0 ? "" : ": ").append(c.getClass().getSimpleName()).append(' ').append(c.getMessage());
			}
		}
		return text.length() == 0 ? t.getClass().getSimpleName() : text.toString();
	}

	private static Throwable unwrap(Throwable thrown) {
		Throwable t = thrown;
		while (t instanceof CompletionException && t.getCause() != null) {
			t = t.getCause();
		}
		return t;
	}

	/** Retried: the connection failed before any answer (refused, reset), never a time-out nor a TLS refusal. */
	static boolean connectionFailedBeforeAnswer(Throwable thrown) {
		Throwable t = unwrap(thrown);
		return classify(t) == CallOutcome.CONNECTION_ERROR && (t instanceof ConnectException || t instanceof IOException);
	}

	@Override
	public void destroy() {
		executor.shutdownNow();
		timer.shutdownNow();
	}

	/** A failed call, as the circuit breaker records it. */
	private static final class CallFailed extends RuntimeException {
		CallFailed(CallOutcome outcome) {
			super(outcome.name(), null, false, false);
		}
	}

	private static final class AnswerTooLarge extends IOException {
		AnswerTooLarge(long limit) {
			super("more than " + limit + " bytes");
		}
	}

	/** The answer's bytes, up to a limit: beyond it the exchange is aborted. */
	private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
		private final long limit;
		private final CompletableFuture<byte[]> result = new CompletableFuture<>();
		private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
		private Flow.Subscription subscription;

		LimitedBody(long limit) {
			this.limit = limit;
		}

		@Override
		public CompletionStage<byte[]> getBody() {
			return result;
		}

		@Override
		public void onSubscribe(Flow.Subscription subscription) {
			this.subscription = subscription;
			subscription.request(Long.MAX_VALUE);
		}

		@Override
		public void onNext(List<ByteBuffer> buffers) {
			for (ByteBuffer buffer : buffers) {
				byte[] chunk = new byte[buffer.remaining()];
				buffer.get(chunk);
				bytes.write(chunk, 0, chunk.length);
			}
			if (bytes.size() > limit) {
				subscription.cancel();
				result.completeExceptionally(new AnswerTooLarge(limit));
			}
		}

		@Override
		public void onError(Throwable throwable) {
			result.completeExceptionally(throwable);
		}

		@Override
		public void onComplete() {
			result.complete(bytes.toByteArray());
		}
	}
}
