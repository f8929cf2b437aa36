package fr.sas.fhir.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start window of a slot search: {@code start=ge...&start=le...} read with FHIR's date-search semantics, the
 * forms the platform sends included (with or without seconds, milliseconds and offset). A bound covers the
 * whole span of its precision: {@code le2021-01-06T10:00:00} includes 10:00:00.999; {@code ge} and {@code le}
 * include the span, {@code gt} and {@code lt} exclude it. A date without offset is in the server's time zone.
 */
public record SearchBounds(Instant lowest, Instant highest) {

	private static final Pattern DATE = Pattern.compile(
			"(\\d{4})-(\\d{2})-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?(Z|[+-]\\d{2}:?\\d{2})?");

	/** Reads the two bounds from the values of one date parameter; 400 naming the parameter when they are not usable. */
	public static SearchBounds parse(String parameter, String[] values, ZoneId zone) {
		Instant lowest = null;
		Instant highest = null;
		for (String raw : values == null ? new String[0] : values) {
			// An unencoded '+' of an offset arrives as a space.
			String value = raw.trim().replace(' ', '+');
			String prefix = value.length() > 2 ? value.substring(0, 2) : "";
			Span span = span(parameter, value.substring(prefix.length()), zone);
			switch (prefix) {
				case "ge" -> lowest = later(lowest, span.first());
				case "gt" -> lowest = later(lowest, span.last().plusMillis(1));
				case "le" -> highest = earlier(highest, span.last());
				case "lt" -> highest = earlier(highest, span.first().minusMillis(1));
				default -> throw SearchRefusal.badParameter(parameter,
						"'" + raw + "' needs a ge or le prefix (the SAS slot search takes start=ge...&start=le...)");
			}
		}
		if (lowest == null || highest == null) {
			throw SearchRefusal.badParameter(parameter,
					"both bounds are required, as start=ge<date>&start=le<date> (SAS slot search)");
		}
		return new SearchBounds(lowest, highest);
	}

	private record Span(Instant first, Instant last) {}

	private static Span span(String parameter, String text, ZoneId zone) {
		Matcher m = DATE.matcher(text);
		if (!m.matches()) {
			throw SearchRefusal.badParameter(parameter, "'" + text + "' is not a date (expected e.g. 2024-06-12T16:20:00+02:00)");
		}
		try {
			LocalDate day = LocalDate.of(num(m, 1), num(m, 2), num(m, 3));
			ZoneId offset = m.group(8) == null ? zone : ZoneOffset.of(m.group(8).equals("Z") ? "Z" : withColon(m.group(8)));
			if (m.group(4) == null) {
				Instant first = day.atStartOfDay(offset).toInstant();
				return new Span(first, day.plusDays(1).atStartOfDay(offset).toInstant().minusMillis(1));
			}
			LocalDateTime time = day.atTime(num(m, 4), num(m, 5), m.group(6) == null ? 0 : num(m, 6));
			ChronoUnit unit = m.group(6) == null ? ChronoUnit.MINUTES : ChronoUnit.SECONDS;
			if (m.group(7) != null) {
				String fraction = (m.group(7) + "000000000").substring(0, 9);
				time = time.withNano(Integer.parseInt(fraction));
				unit = ChronoUnit.MILLIS;
			}
			Instant first = time.atZone(offset).toInstant();
			return new Span(first, first.plus(1, unit).minusMillis(1));
		} catch (java.time.DateTimeException e) {
			throw SearchRefusal.badParameter(parameter, "'" + text + "' is not a valid date: " + e.getMessage());
		}
	}

	private static String withColon(String offset) {
		return offset.contains(":") ? offset : offset.substring(0, 3) + ":" + offset.substring(3);
	}

	private static int num(Matcher m, int group) {
		return Integer.parseInt(m.group(group));
	}

	private static Instant later(Instant current, Instant candidate) {
		return current == null || candidate.isAfter(current) ? candidate : current;
	}

	private static Instant earlier(Instant current, Instant candidate) {
		return current == null || candidate.isBefore(current) ? candidate : current;
	}
}
