package fr.sas.fhir.monitoring;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * France's working days (jours ouvrés): Monday to Friday but the eleven public holidays of the Code du travail
 * (L3133-1), computed, not listed: the eight fixed ones, and Easter Monday, Ascension Thursday and Whit Monday from
 * Easter (the anonymous Gregorian algorithm, Meeus/Jones/Butcher). Alsace-Moselle's Good Friday and 26 December
 * are not counted (the SLA is national).
 */
public final class FrenchWorkingDays {

	private static final Set<MonthDay> FIXED = Set.of(
			MonthDay.of(1, 1), // Jour de l'an
			MonthDay.of(5, 1), // Fête du travail
			MonthDay.of(5, 8), // Victoire 1945
			MonthDay.of(7, 14), // Fête nationale
			MonthDay.of(8, 15), // Assomption
			MonthDay.of(11, 1), // Toussaint
			MonthDay.of(11, 11), // Armistice
			MonthDay.of(12, 25)); // Noël

	private FrenchWorkingDays() {}

	/** Easter Sunday of a Gregorian year. */
	public static LocalDate easter(int year) {
		int a = year % 19;
		int b = year / 100;
		int c = year % 100;
		int d = b / 4;
		int e = b % 4;
		int f = (b + 8) / 25;
		int g = (b - f + 1) / 3;
		int h = (19 * a + b - d - g + 15) % 30;
		int i = c / 4;
		int k = c % 4;
		int l = (32 + 2 * e + 2 * i - h - k) % 7;
		int m = (a + 11 * h + 22 * l) / 451;
		int month = (h + l - 7 * m + 114) / 31;
		int day = (h + l - 7 * m + 114) % 31 + 1;
		return LocalDate.of(year, month, day);
	}

	public static boolean isPublicHoliday(LocalDate date) {
		if (FIXED.contains(MonthDay.from(date))) {
			return true;
		}
		LocalDate easter = easter(date.getYear());
		return date.equals(easter.plusDays(1)) // Lundi de Pâques
				|| date.equals(easter.plusDays(39)) // Ascension
				|| date.equals(easter.plusDays(50)); // Lundi de Pentecôte
	}

	public static boolean isWorkingDay(LocalDate date) {
		return date.getDayOfWeek() != DayOfWeek.SATURDAY && date.getDayOfWeek() != DayOfWeek.SUNDAY && !isPublicHoliday(date);
	}

	/**
	 * {@code days} working days after {@code from}: the same time of day on the {@code days}-th working day after
	 * the day it happened (an anomaly opened on a Saturday counts from Monday's end: Monday is day one, at the time it
	 * opened). In the zone given (Europe/Paris for the SLA).
	 */
	public static ZonedDateTime plusWorkingDays(ZonedDateTime from, int days) {
		LocalDate date = from.toLocalDate();
		int counted = 0;
		while (counted < days) {
			date = date.plusDays(1);
			if (isWorkingDay(date)) {
				counted++;
			}
		}
		return ZonedDateTime.of(LocalDateTime.of(date, from.toLocalTime()), from.getZone());
	}

	public static final ZoneId PARIS = ZoneId.of("Europe/Paris");
}
