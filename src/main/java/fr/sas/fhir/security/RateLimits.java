package fr.sas.fhir.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-caller rate limits, a token bucket by client id (or person, or address for anonymous callers), its rate
 * and burst set by role ({@code sas.security.rate-limits.<role>}). A request over the limit gets 429 with
 * {@code Retry-After} and an OperationOutcome, before any FHIR processing.
 */
final class RateLimits extends OncePerRequestFilter {

	static final String RULE = "SAS-rate-limit";

	private final Map<Role, SecurityProperties.Limit> limits;
	private final SecurityProperties.Limit anonymous;
	private final Clock clock;
	private final Cache<String, Bucket> buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10))
			.maximumSize(100_000).build();

	private final SecurityRefusals refusals;

	RateLimits(Map<Role, SecurityProperties.Limit> limits, SecurityProperties.Limit anonymous, Clock clock,
			SecurityRefusals refusals) {
		this.refusals = refusals;
		this.limits = limits;
		this.anonymous = anonymous;
		this.clock = clock;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		java.util.Optional<Caller> caller = Caller.current();
		SecurityProperties.Limit limit = caller.map(c -> limits.get(c.role())).orElse(caller.isEmpty() ? anonymous : null);
		if (limit == null || limit.getPerSecond() <= 0) {
			chain.doFilter(request, response);
			return;
		}
		String key = caller.map(c -> c.role() + ":" + c.id()).orElse("address:" + request.getRemoteAddr());
		Bucket bucket = buckets.get(key, k -> new Bucket(limit.getPerSecond(), limit.getBurst(), clock.millis()));
		long waitMillis = bucket.take(clock.millis());
		if (waitMillis > 0) {
			response.setHeader("Retry-After", String.valueOf(Math.max(1, (waitMillis + 999) / 1000)));
			refusals.refuse(request, response, 429, RULE, "more than " + limit.getPerSecond() + " requests per second (burst "
					+ limit.getBurst() + ") for " + key + "; retry after the delay in Retry-After");
			return;
		}
		chain.doFilter(request, response);
	}

	/** A token bucket: {@code rate} tokens a second, at most {@code burst} kept. */
	static final class Bucket {
		private final double rate;
		private final double burst;
		private double tokens;
		private long last;

		Bucket(double rate, double burst, long now) {
			this.rate = rate;
			this.burst = Math.max(1, burst);
			this.tokens = this.burst;
			this.last = now;
		}

		/** 0 when a token was taken; otherwise the milliseconds until one is there. */
		synchronized long take(long now) {
			tokens = Math.min(burst, tokens + (now - last) * rate / 1000.0);
			last = now;
			if (tokens >= 1) {
				tokens -= 1;
				return 0;
			}
			return (long) Math.ceil((1 - tokens) * 1000.0 / rate);
		}
	}
}
