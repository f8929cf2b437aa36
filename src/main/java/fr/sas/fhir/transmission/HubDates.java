package fr.sas.fhir.transmission;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The Hub's date-time, in the payload and the envelope alike: an offset, no fraction of a second, never {@code Z}. */
final class HubDates {

	private static final DateTimeFormatter HUB_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

	private HubDates() {}

	static String format(Instant instant, ZoneId zone) {
		return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), zone).format(HUB_DATE_TIME);
	}
}
