package fr.sas.fhir.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.publishers.PublisherEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code writes-stopped} rule on hourly rows, without a server, at the defaults (2 h; 18 of 24 hours). */
class StoppedWritesTest {

	static final Instant NOW = Instant.parse("2026-05-07T08:30:20Z");

	final StoppedWrites rule = new StoppedWrites(AlertRulesTest.DEFAULTS.pushedWrites());
	final List<WriteHour> rows = new ArrayList<>();

	/** {@code count} slot writes in the hour {@code hoursAgo} before NOW's, the last at its 40th minute. */
	void hour(int hoursAgo, long count) {
		Instant hour = NOW.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hoursAgo));
		rows.add(new WriteHour("editeur-x", hour, "n1", count, hour.plus(Duration.ofMinutes(40))));
	}

	@Test
	void aPublisherWritingEveryHourThenSilentForTwoHoursHolds() {
		for (int h = 26; h >= 3; h--) {
			hour(h, 10);
		}
		assertThat(rule.holding(rows, NOW, false)).hasValueSatisfying(evidence -> assertThat(evidence.get(0))
				.contains("aucun créneau écrit depuis 2026-05-07T05:40:00Z").contains("rythme habituel 10,0 écritures de créneaux par heure")
				.contains("des créneaux écrits dans 24 d'entre elles"));
	}

	@Test
	void theEvidenceNamesTheWritesRefusedDuringTheSilence() {
		for (int h = 26; h >= 3; h--) {
			hour(h, 10);
		}
		Instant hourAgo = NOW.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
		List<RefusedWriteHour> refused = List.of(
				new RefusedWriteHour("editeur-x", hourAgo, "n1", "SAS-identity", 4, hourAgo.plusSeconds(60), "PUT Slot/a → 422"),
				new RefusedWriteHour("editeur-x", hourAgo.minus(Duration.ofHours(5)), "n1", "SAS-profile", 7,
						hourAgo.minus(Duration.ofHours(5)), "PUT Slot/b → 422")); // before the last accepted write
		List<String> evidence = StoppedWrites.withRefusals(rule.holding(rows, NOW, false).orElseThrow(), rows, refused, NOW);
		assertThat(evidence).hasSize(2);
		assertThat(evidence.get(1)).isEqualTo("4 écritures de créneaux refusées depuis la dernière acceptée, par règle : SAS-identity 4");
	}

	@Test
	void aShorterSilenceDoesNotHold() {
		for (int h = 24; h >= 1; h--) {
			hour(h, 10);
		}
		assertThat(rule.holding(rows, NOW, false)).isEmpty(); // last write 50 min ago
	}

	@Test
	void aPublisherWritingInFewerThanEighteenOfTheHoursIsNotRegular() {
		for (int h = 26; h >= 3; h -= 2) {
			hour(h, 10); // every other hour: 12 of 24
		}
		assertThat(rule.holding(rows, NOW, false)).isEmpty();
	}

	@Test
	void anOpenAlertHoldsUntilASlotIsWrittenEvenOnceItsRowsAreGone() {
		assertThat(rule.holding(List.of(), NOW, true)).isPresent();
		hour(0, 1);
		assertThat(rule.holding(rows, NOW, true)).isEmpty();
	}

	@Test
	void anEndpointStandsForThePublisherItsManagingOrganizationNames() {
		PublisherEndpoint plain = AlertRulesTest.ENDPOINT;
		assertThat(StoppedWrites.publisherOf(plain)).isEmpty();
		assertThat(StoppedWrites.publisherOf(withPublisher(plain, "editeur-x"))).contains("editeur-x");
		assertThat(StoppedWrites.publisherOf(withPublisher(plain, "Organization/editeur-x"))).contains("editeur-x");
	}

	static PublisherEndpoint withPublisher(PublisherEndpoint e, String publisher) {
		return new PublisherEndpoint(e.id(), e.version(), e.name(), e.address(), e.useCases(), e.status(), e.environment(),
				e.timeBudget(), e.certificateAlias(), publisher, e.from(), e.until(), e.headers());
	}
}
