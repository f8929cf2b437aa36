package fr.sas.fhir.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The server's clock in tests: the system clock, shifted by a duration a test sets and resets, so time rules
 * (CPTS window, past slots) are tested by moving time rather than waiting.
 */
public final class TestClock extends Clock {

	private static volatile Duration shift = Duration.ZERO;

	public static void shift(Duration by) {
		shift = by;
	}

	public static void reset() {
		shift = Duration.ZERO;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return Clock.offset(Clock.system(zone), shift);
	}

	@Override
	public Instant instant() {
		return Instant.now().plus(shift);
	}

	/** Replaces the server's {@code clock} bean. */
	@TestConfiguration
	public static class Config {
		@Bean
		public Clock clock() {
			return new TestClock();
		}
	}
}
