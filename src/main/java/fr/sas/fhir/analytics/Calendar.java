package fr.sas.fhir.analytics;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;

/** Days, ISO weeks and months in the programme's time zone: the keys the fact tables store. */
record Calendar(ZoneId zone) {

	LocalDate day(Instant instant) {
		return instant.atZone(zone).toLocalDate();
	}

	/** The instant a day begins in the zone. */
	Instant start(LocalDate day) {
		return day.atStartOfDay(zone).toInstant();
	}

	static String month(LocalDate day) {
		return String.format("%04d-%02d", day.getYear(), day.getMonthValue());
	}

	static String week(LocalDate day) {
		return String.format("%04d-W%02d", day.get(IsoFields.WEEK_BASED_YEAR), day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
	}

	/** The département of a French postal code: 2 digits, 3 overseas (97x, 98x), 2A/2B for Corsica; null if unknown. */
	static String departement(String postalCode) {
		if (postalCode == null) {
			return null;
		}
		String code = postalCode.strip();
		if (code.length() != 5 || !code.chars().allMatch(Character::isDigit)) {
			return null;
		}
		if (code.startsWith("97") || code.startsWith("98")) {
			return code.substring(0, 3);
		}
		if (code.startsWith("20")) {
			return Integer.parseInt(code.substring(2)) < 200 ? "2A" : "2B";
		}
		return code.substring(0, 2);
	}
}
