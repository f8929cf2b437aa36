package fr.sas.fhir.aggregator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import fr.sas.fhir.publishers.CallOutcome;
import fr.sas.fhir.publishers.GuideRequests;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublisherRegistry;
import fr.sas.fhir.publishers.UseCase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One of the guide's searches sent to every endpoint of its use case that answers for the identifiers asked
 * ({@link LearnedRoutes}), in parallel, in calls of at most 25 practitioners (10 associations), each within the
 * endpoint's time budget and all within the search's: what has not come back by the search's deadline is left out
 * and said so, and nothing arriving later is used for it. Answers are checked ({@link AnswerCheck}) and kept a few
 * seconds ({@code cache.ttl}) for the searches that follow.
 */
class FanOut {

	private final PublisherRegistry registry;
	private final PublisherClient client;
	private final AnswerCheck check;
	private final LearnedRoutes routes;
	private final AggregatorProperties properties;
	private final Duration cptsWindow;
	private final Clock clock;
	private final ZoneId zone;
	private final Cache<String, PulledAnswer> cache;

	FanOut(PublisherRegistry registry, PublisherClient client, AnswerCheck check, LearnedRoutes routes,
			AggregatorProperties properties, Duration cptsWindow, Clock clock, ZoneId zone) {
		this.registry = registry;
		this.client = client;
		this.check = check;
		this.routes = routes;
		this.properties = properties;
		this.cptsWindow = cptsWindow;
		this.clock = clock;
		this.zone = zone;
		Duration ttl = properties.getCache().getTtl();
		this.cache = ttl.isZero() || ttl.isNegative() ? null
				: Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(properties.getCache().getMaxEntries()).build();
	}

	/**
	 * What the search got.
	 *
	 * @param answers the usable answers, by endpoint id
	 * @param notes what the caller should be told: publishers left out and why
	 * @param calls the calls made (answers from the cache are not calls)
	 * @param endpoints the endpoints asked
	 */
	record Result(List<PulledAnswer> answers, List<String> notes, int calls, int endpoints) {

		static Result none(String note) {
			return new Result(List.of(), note == null ? List.of() : List.of(note), 0, 0);
		}
	}

	/** The search for {@code identifiers} (as sent: {@code system|value}) starting within [from, to]. */
	Result search(UseCase useCase, List<String> identifiers, Instant from, Instant to, long deadline) {
		return start(useCase, identifiers, from, to, deadline).collect();
	}

	/** The calls of a search, under way: several searches of one request run side by side, then are collected. */
	final class Pending {
		private final UseCase useCase;
		private final LearnedRoutes.Plan plan;
		private final Map<PublisherEndpoint, List<CompletableFuture<PulledAnswer>>> calls;
		private final int made;
		private final long deadline;
		private final String none;

		private Pending(UseCase useCase, LearnedRoutes.Plan plan, Map<PublisherEndpoint, List<CompletableFuture<PulledAnswer>>> calls,
				int made, long deadline, String none) {
			this.useCase = useCase;
			this.plan = plan;
			this.calls = calls;
			this.made = made;
			this.deadline = deadline;
			this.none = none;
		}

		/** Waits until every call is back or the deadline, and takes what came back. */
		Result collect() {
			if (plan == null) {
				return Result.none(none);
			}
			awaitUntil(calls.values().stream().flatMap(List::stream).toList(), deadline);
			List<PulledAnswer> usable = new ArrayList<>();
			Set<String> notes = new LinkedHashSet<>();
			Map<String, Set<String>> foundBy = new HashMap<>();
			// An identifier asked of everyone that no answer has slots for is asked again for a while only of the
			// endpoints that did not answer (time-out, error, not called: breaker open, bulkhead full): one away may hold
			// it, and once back its slots must not stay hidden behind a "nobody" learnt while it was away.
			Set<String> silent = new HashSet<>();
			for (Map.Entry<PublisherEndpoint, List<CompletableFuture<PulledAnswer>>> e : calls.entrySet()) {
				PublisherEndpoint endpoint = e.getKey();
				for (CompletableFuture<PulledAnswer> future : e.getValue()) {
					PulledAnswer answer = future.isDone() && !future.isCompletedExceptionally() ? future.join() : null;
					if (answer == null || answer.check().call().outcome() == CallOutcome.TIMEOUT) {
						silent.add(endpoint.id());
						notes.add(name(endpoint) + " did not answer within the search's time budget: its slots are missing");
					} else if (!answer.check().usable()) {
						silent.add(endpoint.id()); // it may hold them: asked again next time
						notes.add(name(endpoint) + ": " + answer.check().invalid() + "; its slots are missing");
					} else {
						usable.add(answer);
						answer.found().forEach(id -> foundBy.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(endpoint.id()));
						if (answer.check().droppedCount() > 0) {
							notes.add(name(endpoint) + ": " + answer.check().droppedCount() + " entries left out of its answer ("
									+ String.join(", ", answer.check().dropped().keySet()) + ")");
						}
					}
				}
			}
			Map<String, Set<String>> nobodyBut = new HashMap<>();
			for (Map.Entry<PublisherEndpoint, List<String>> asked : plan.calls().entrySet()) {
				for (String id : asked.getValue()) {
					if (!foundBy.containsKey(id) && (plan.everyone().contains(id) || plan.retried().contains(id))) {
						Set<String> its = nobodyBut.computeIfAbsent(id, k -> new HashSet<>());
						if (silent.contains(asked.getKey().id())) {
							its.add(asked.getKey().id());
						}
					}
				}
			}
			routes.learn(useCase, foundBy, nobodyBut);
			usable.sort(Comparator.comparing(a -> a.endpoint().id()));
			return new Result(usable, List.copyOf(notes), made, plan.endpoints());
		}
	}

	/** Sends the calls of a search and returns at once. */
	Pending start(UseCase useCase, List<String> identifiers, Instant from, Instant to, long deadline) {
		List<PublisherEndpoint> callable = registry.callable(useCase);
		if (callable.isEmpty() || identifiers.isEmpty()) {
			return new Pending(useCase, null, Map.of(), 0, deadline,
					callable.isEmpty() ? "no publisher endpoint is active for the use case " + useCase.code() : null);
		}
		Instant now = clock.instant();
		Instant until = useCase == UseCase.CPTS && to.isAfter(now.plus(cptsWindow)) ? now.plus(cptsWindow) : to;
		LearnedRoutes.Plan plan = routes.plan(useCase, identifiers, callable);
		int perCall = useCase == UseCase.SOS ? properties.getAssociationsPerCall() : properties.getPractitionersPerCall();
		AnswerCheck.Asked asked = new AnswerCheck.Asked(identifiers);
		Map<PublisherEndpoint, List<CompletableFuture<PulledAnswer>>> pending = new LinkedHashMap<>();
		int calls = 0;
		for (Map.Entry<PublisherEndpoint, List<String>> call : plan.calls().entrySet()) {
			PublisherEndpoint endpoint = call.getKey();
			for (int i = 0; i < call.getValue().size(); i += perCall) {
				List<String> batch = call.getValue().subList(i, Math.min(call.getValue().size(), i + perCall));
				String request = GuideRequests.of(useCase, batch, from, until, zone);
				String key = endpoint.id() + "@" + endpoint.version() + " " + request;
				PulledAnswer cached = cache == null ? null : cache.getIfPresent(key);
				if (cached != null) {
					pending.computeIfAbsent(endpoint, e -> new ArrayList<>()).add(CompletableFuture.completedFuture(cached));
					continue;
				}
				calls++;
				Duration budget = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
				CompletableFuture<PulledAnswer> answer = client.get(endpoint, useCase, request, budget)
						.thenApply(done -> checked(done, useCase, asked, from, until, key));
				pending.computeIfAbsent(endpoint, e -> new ArrayList<>()).add(answer);
			}
		}
		return new Pending(useCase, plan, pending, calls, deadline, null);
	}

	private PulledAnswer checked(PublisherCall call, UseCase useCase, AnswerCheck.Asked asked, Instant from, Instant to,
			String key) {
		PulledAnswer answer = check.check(call, useCase, asked, from, to, clock.instant());
		client.tell(answer.check());
		if (cache != null && answer.check().usable()) {
			cache.put(key, answer);
		}
		return answer;
	}

	private static void awaitUntil(List<CompletableFuture<PulledAnswer>> futures, long deadline) {
		try {
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
					.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		} catch (TimeoutException late) {
			// what came back is used; the rest is left out
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		} catch (ExecutionException e) {
			// a check failed unexpectedly: that answer is left out below
		}
	}

	static String name(PublisherEndpoint endpoint) {
		return "publisher " + (endpoint.name() == null ? "" : "'" + endpoint.name() + "' ") + "(Endpoint/" + endpoint.id() + ")";
	}
}
