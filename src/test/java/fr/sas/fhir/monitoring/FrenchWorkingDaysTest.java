package fr.sas.fhir.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The SLA clock: French working days, weekends and public holidays computed (Easter's from the algorithm). */
class FrenchWorkingDaysTest {

	@Test
	void easterAndTheHolidaysItMoves() {
		assertThat(FrenchWorkingDays.easter(2024)).isEqualTo(LocalDate.of(2024, 3, 31));
		assertThat(FrenchWorkingDays.easter(2025)).isEqualTo(LocalDate.of(2025, 4, 20));
		assertThat(FrenchWorkingDays.easter(2026)).isEqualTo(LocalDate.of(2026, 4, 5));
		assertThat(FrenchWorkingDays.easter(2038)).isEqualTo(LocalDate.of(2038, 4, 25));
		assertThat(FrenchWorkingDays.isPublicHoliday(LocalDate.of(2026, 4, 6))).as("Easter Monday").isTrue();
		assertThat(FrenchWorkingDays.isPublicHoliday(LocalDate.of(2026, 5, 14))).as("Ascension").isTrue();
		assertThat(FrenchWorkingDays.isPublicHoliday(LocalDate.of(2026, 5, 25))).as("Whit Monday").isTrue();
		assertThat(FrenchWorkingDays.isPublicHoliday(LocalDate.of(2025, 6, 9))).as("Whit Monday 2025").isTrue();
		assertThat(FrenchWorkingDays.isPublicHoliday(LocalDate.of(2026, 7, 14))).isTrue();
		assertThat(FrenchWorkingDays.isPublicHoliday(LocalDate.of(2026, 12, 26))).as("Alsace-Moselle only").isFalse();
		assertThat(FrenchWorkingDays.isPublicHoliday(LocalDate.of(2026, 4, 3))).as("Good Friday: Alsace-Moselle only").isFalse();
		assertThat(FrenchWorkingDays.isWorkingDay(LocalDate.of(2026, 5, 9))).as("a Saturday").isFalse();
	}

	@Test
	void blockingDeadlineSkipsAPublicHolidayAndAWeekend() {
		// Thursday 7 May 2026, 10:00 Paris; Friday 8 May is a holiday, then the weekend: Monday (1), Tuesday (2).
		Instant opened = Instant.parse("2026-05-07T08:00:00Z");
		assertThat(Severity.BLOCKING.deadline(opened)).isEqualTo(Instant.parse("2026-05-12T08:00:00Z"));
	}

	@Test
	void majorDeadlineSkipsAscensionWhitMondayAndThreeWeekends() {
		Instant opened = Instant.parse("2026-05-07T08:00:00Z");
		assertThat(Severity.MAJOR.deadline(opened)).isEqualTo(Instant.parse("2026-06-01T08:00:00Z"));
	}

	@Test
	void minorDeadlineIsThirtyCalendarDaysInParisTime() {
		// across the change to summer time (29 March 2026): still 10:00 in Paris
		Instant opened = Instant.parse("2026-03-10T09:00:00Z");
		assertThat(Severity.MINOR.deadline(opened)).isEqualTo(Instant.parse("2026-04-09T08:00:00Z"));
	}

	@Test
	void anAnomalyOfASaturdayCountsFromMonday() {
		Instant opened = Instant.parse("2026-05-16T12:00:00Z"); // Saturday 14:00 Paris
		assertThat(Severity.BLOCKING.deadline(opened)).isEqualTo(Instant.parse("2026-05-19T12:00:00Z")); // Tuesday
	}
}
