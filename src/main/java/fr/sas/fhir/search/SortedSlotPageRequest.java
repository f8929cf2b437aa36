package fr.sas.fhir.search;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The analyst's sorted page of free slots, {@code Slot?status=free&start=ge..[&start=lt..]&_sort=start&_count=..},
 * recognised exactly: {@code status=free}, one or two {@code start} bounds (at most one lower, {@code ge}/{@code gt},
 * and one upper, {@code le}/{@code lt}) each an instant to the second or finer with its offset, {@code _sort=start},
 * and optionally {@code _count}, {@code _offset}, {@code _total=accurate}, {@code _format}, {@code _pretty}.
 * Anything else (another parameter, a day or a time without offset, {@code _sort=-start}, {@code _include},
 * {@code _summary}, {@code _count=0}, two bounds on one side, which HAPI refuses with 400, ...) is not this search:
 * HAPI's generic search answers it unchanged.
 *
 * <p>Bounds as HAPI reads them: a bound covers its precision's span; {@code ge}/{@code le} include it,
 * {@code gt}/{@code lt} exclude it. A day (or a time without offset) is not taken: HAPI compares days on the date
 * written in the stored slot ({@code SP_VALUE_LOW_DATE_ORDINAL}, its writer's offset), which the free-slot lists do
 * not keep.
 *
 * @param lowest first start matched (epoch milliseconds, inclusive)
 * @param highest last start matched (epoch milliseconds, inclusive)
 * @param count the page size asked ({@code null}: the server's default page size)
 */
record SortedSlotPageRequest(long lowest, long highest, Integer count, int offset) {

	private static final Set<String> ALLOWED = Set.of("status", "start", "_sort", "_count", "_offset", "_total", "_format", "_pretty");
	private static final Pattern INSTANT = Pattern.compile(
			"(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})(?:\\.(\\d{1,9}))?(Z|[+-]\\d{2}:\\d{2})");

	static Optional<SortedSlotPageRequest> read(String resourceType, Map<String, String[]> parameters) {
		if (!"Slot".equals(resourceType) || !ALLOWED.containsAll(parameters.keySet())
				|| !single(parameters, "status", "free") || !single(parameters, "_sort", "start")
				|| (parameters.containsKey("_total") && !single(parameters, "_total", "accurate"))) {
			return Optional.empty();
		}
		String[] starts = parameters.get("start");
		if (starts == null || starts.length == 0 || starts.length > 2) {
			return Optional.empty();
		}
		Long lowest = null;
		Long highest = null;
		for (String raw : starts) {
			// an unencoded '+' of an offset arrives as a space
			String value = raw.trim().replace(' ', '+');
			if (value.length() < 3) {
				return Optional.empty();
			}
			Optional<long[]> span = span(value.substring(2));
			if (span.isEmpty()) {
				return Optional.empty();
			}
			long first = span.get()[0];
			long last = span.get()[1];
			String prefix = value.substring(0, 2);
			boolean lower = prefix.equals("ge") || prefix.equals("gt");
			boolean upper = prefix.equals("le") || prefix.equals("lt");
			// no prefix (eq), another one (ne, sa, eb, ap), or a second bound on the same side: HAPI's
			if ((!lower && !upper) || (lower && lowest != null) || (upper && highest != null)) {
				return Optional.empty();
			}
			switch (prefix) {
				case "ge" -> lowest = first;
				case "gt" -> lowest = last + 1;
				case "le" -> highest = last;
				default -> highest = first - 1;
			}
		}
		Optional<Integer> count = number(parameters, "_count");
		Optional<Integer> offset = number(parameters, "_offset");
		if ((parameters.containsKey("_count") && (count.isEmpty() || count.get() == 0))
				|| (parameters.containsKey("_offset") && offset.isEmpty())) {
			return Optional.empty();
		}
		return Optional.of(new SortedSlotPageRequest(lowest == null ? Long.MIN_VALUE : lowest,
				highest == null ? Long.MAX_VALUE : highest, count.orElse(null), offset.orElse(0)));
	}

	/** The first and last millisecond of an instant's precision (a second, or its fraction), if it is one. */
	private static Optional<long[]> span(String text) {
		Matcher m = INSTANT.matcher(text);
		if (!m.matches()) {
			return Optional.empty();
		}
		try {
			Instant first = LocalDateTime.parse(m.group(1)).toInstant(ZoneOffset.of(m.group(3)));
			long unit = 1000;
			if (m.group(2) != null) {
				String fraction = (m.group(2) + "000000000").substring(0, 9);
				first = first.plusNanos(Integer.parseInt(fraction));
				unit = 1;
			}
			long millis = first.toEpochMilli();
			return Optional.of(new long[] {millis, millis + unit - 1});
		} catch (java.time.DateTimeException | ArithmeticException e) {
			return Optional.empty();
		}
	}

	private static boolean single(Map<String, String[]> parameters, String name, String value) {
		String[] values = parameters.get(name);
		return values != null && values.length == 1 && value.equals(values[0].trim());
	}

	/** A non-negative number given once; empty when absent or not one. */
	private static Optional<Integer> number(Map<String, String[]> parameters, String name) {
		String[] values = parameters.get(name);
		if (values == null || values.length != 1) {
			return Optional.empty();
		}
		try {
			int n = Integer.parseInt(values[0].trim());
			return n < 0 ? Optional.empty() : Optional.of(n);
		} catch (NumberFormatException e) {
			return Optional.empty();
		}
	}
}
