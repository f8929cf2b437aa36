package fr.sas.fhir.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code writes-refused} rule on hourly rows, without a server, at the defaults (1 h; 10 writes; 50 %). */
class MostlyRefusedWritesTest {

	static final Instant NOW = Instant.parse("2026-05-07T08:30:20Z");
	static final Instant HOUR = NOW.truncatedTo(ChronoUnit.HOURS);

	final MostlyRefusedWrites rule = new MostlyRefusedWrites(AlertRulesTest.DEFAULTS.refusedWrites());
	final List<WriteHour> accepted = new ArrayList<>();
	final List<RefusedWriteHour> refused = new ArrayList<>();

	void accepted(Instant hour, long count) {
		accepted.add(new WriteHour("editeur-x", hour, "n1", count, hour.plus(Duration.ofMinutes(10))));
	}

	void refused(Instant hour, String rule, long count, int minute) {
		refused.add(new RefusedWriteHour("editeur-x", hour, "n" + refused.size(), rule, count, hour.plus(Duration.ofMinutes(minute)),
				"PUT Slot/s-" + rule + " → 422 " + rule + ": refused"));
	}

	@Test
	void mostWritesRefusedHoldsAndNamesTheCodesMostFrequentFirstAndTheLastRefusal() {
		accepted(HOUR, 3);
		refused(HOUR, "SAS-identity", 2, 20);
		refused(HOUR.minus(Duration.ofHours(1)), "SAS-publisher-ownership", 5, 50);
		refused(HOUR.minus(Duration.ofHours(1)), "SAS-identity", 1, 55);
		assertThat(rule.holding(accepted, refused, NOW)).hasValueSatisfying(evidence -> {
			assertThat(evidence.get(0)).isEqualTo("8 écritures de créneaux refusées sur 11 (73 %, seuil 50 %) depuis 2026-05-07T07:00:00Z, "
					+ "par règle : SAS-publisher-ownership 5, SAS-identity 3");
			assertThat(evidence.get(1)).isEqualTo("dernier refus (SAS-identity, 2026-05-07T08:20:00Z) : PUT Slot/s-SAS-identity → 422 "
					+ "SAS-identity: refused");
		});
	}

	@Test
	void halfRefusedOrTooFewWritesOrOldRefusalsDoNotHold() {
		accepted(HOUR, 6);
		refused(HOUR, "SAS-identity", 5, 20);
		assertThat(rule.holding(accepted, refused, NOW)).as("5 of 11: under half").isEmpty();

		accepted.clear();
		refused.clear();
		refused(HOUR, "SAS-identity", 9, 20);
		assertThat(rule.holding(accepted, refused, NOW)).as("9 writes: under minimum-writes").isEmpty();

		refused(HOUR.minus(Duration.ofHours(2)), "SAS-identity", 50, 20);
		assertThat(rule.holding(accepted, refused, NOW)).as("the hour before the window").isEmpty();
		refused(HOUR.plus(Duration.ofHours(1)), "SAS-identity", 50, 20);
		assertThat(rule.holding(accepted, refused, NOW)).as("an hour after now").isEmpty();
	}
}
