package fr.sas.fhir.contextual;

import fr.sas.fhir.common.NationalIdentifiers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.DateTimeType;

/**
 * A contextual search as the LRM deep link gives it, checked: every parameter unusable as given is refused (400)
 * naming it. The place is kept as given for {@link PlaceResolver}.
 */
record ContextualQuery(
		String origin,
		List<String> treatingDoctor,
		Set<String> specialtyCodes,
		String specialtyText,
		Map<String, String> place,
		Instant start,
		Instant end,
		boolean windowGiven,
		Set<String> consultationTypes,
		Set<String> slotTypes,
		Set<String> appointmentTypes,
		Set<ContextualCard.Kind> sources,
		int count,
		int offset) {

	static final String TRE_R38_OID = "urn:oid:1.2.250.1.213.2.28";
	static final String TRE_R38_URL = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";
	static final List<String> PLACE_PARAMETERS =
			List.of("streetnumber", "streetname", "city", "inseecode", "postalcode", "latitude", "longitude", "departement", "radius");
	static final int DEFAULT_COUNT = 5;
	static final int MAX_COUNT = 50;

	private static final Pattern CODE = Pattern.compile("^[A-Z]{1,5}\\d{1,4}$");
	private static final Map<String, Set<String>> FILTERS = Map.of(
			"consultation-type", Set.of("AMB", "HH", "VR"),
			"slot-type", Set.of("PUBLIC", "PRO", "SNP", "CPTS"),
			"appointment-type", Set.of("ROUTINE", "WALKIN"),
			"source", Set.of("individual", "cpts", "sos"));

	/** @param parameters each parameter's values, a repeated parameter several times or comma-separated */
	static ContextualQuery read(Map<String, List<String>> parameters, Clock clock, ZoneId zone, Duration maxWindow) {
		String origin = single(parameters, "origin");
		List<String> treating = treatingDoctor(single(parameters, "practitioner"));
		String specialty = single(parameters, "specialty");
		String specialtyName = "specialty";
		if (specialty == null) {
			specialty = single(parameters, "speciality");
			specialtyName = "speciality";
		}
		Set<String> codes = new LinkedHashSet<>();
		String text = null;
		if (specialty != null) {
			String value = specialty.trim();
			int bar = value.indexOf('|');
			if (bar >= 0) {
				String system = value.substring(0, bar);
				if (!system.equals(TRE_R38_OID) && !system.equals(TRE_R38_URL)) {
					throw ContextualRefusal.badParameter("'" + system + "' is not TRE_R38's system (" + TRE_R38_OID + ")", specialtyName);
				}
				codes.add(value.substring(bar + 1).trim());
			} else if (CODE.matcher(value).matches()) {
				codes.add(value);
			} else if (value.length() >= 3) {
				text = value;
			} else {
				throw ContextualRefusal.badParameter("'" + value + "' is neither a TRE_R38 code nor a specialty name", specialtyName);
			}
		}
		Map<String, String> place = new LinkedHashMap<>();
		for (String name : PLACE_PARAMETERS) {
			String value = single(parameters, name);
			if (value != null && !value.isBlank()) {
				place.put(name, value.trim());
			}
		}
		Instant now = clock.instant();
		Instant start = parameters.containsKey("start") ? instant(single(parameters, "start"), "start", zone) : now;
		Instant end = parameters.containsKey("end") ? instant(single(parameters, "end"), "end", zone)
				: LocalDate.ofInstant(now, zone).plusDays(3).atStartOfDay(zone).toInstant().minusMillis(1);
		if (end.isBefore(start)) {
			throw ContextualRefusal.badParameter("the window ends (" + end + ") before it starts (" + start + ")", "end", "start");
		}
		if (Duration.between(start, end).compareTo(maxWindow) > 0) {
			throw ContextualRefusal.badParameter("the window is at most " + maxWindow.toDays() + " days", "end", "start");
		}
		Set<ContextualCard.Kind> sources = new LinkedHashSet<>();
		for (String source : filter(parameters, "source")) {
			sources.add(ContextualCard.Kind.valueOf(source.equals("individual") ? "INDIVIDUAL" : source.toUpperCase(Locale.ROOT)));
		}
		if (sources.isEmpty()) {
			sources.addAll(Set.of(ContextualCard.Kind.values()));
		}
		return new ContextualQuery(origin, treating, codes, text, place, start, end,
				parameters.containsKey("start") || parameters.containsKey("end"),
				filter(parameters, "consultation-type"), filter(parameters, "slot-type"), filter(parameters, "appointment-type"),
				sources, number(parameters, "_count", DEFAULT_COUNT, 1, MAX_COUNT),
				number(parameters, "_offset", 0, 0, Integer.MAX_VALUE));
	}

	/** The identifiers the treating doctor may be stored under: the prefixed national form, as stored. */
	private static List<String> treatingDoctor(String value) {
		if (value == null || value.isBlank()) {
			return List.of();
		}
		String v = value.trim();
		String system = NationalIdentifiers.IDNPS_SYSTEM;
		int bar = v.indexOf('|');
		if (bar >= 0) {
			system = v.substring(0, bar);
			v = v.substring(bar + 1);
			if (!system.equals(NationalIdentifiers.IDNPS_SYSTEM)) {
				throw ContextualRefusal.badParameter("'" + system + "' is not the national practitioner identifier system ("
						+ NationalIdentifiers.IDNPS_SYSTEM + ")", "practitioner");
			}
		}
		List<String> tokens = new ArrayList<>();
		if (NationalIdentifiers.isWellFormed(system, v)) {
			tokens.add(system + "|" + v);
		} else {
			String prefixed = NationalIdentifiers.prefixed(system, v).orElseThrow(() -> ContextualRefusal.badParameter(
					"'" + value + "' is not an RPPS or ADELI (" + NationalIdentifiers.expectedForms(NationalIdentifiers.IDNPS_SYSTEM)
							+ "), prefixed or not, with system " + NationalIdentifiers.IDNPS_SYSTEM + " or none", "practitioner"));
			tokens.add(system + "|" + prefixed);
		}
		return tokens;
	}

	private static Set<String> filter(Map<String, List<String>> parameters, String name) {
		Set<String> values = new LinkedHashSet<>();
		for (String given : parameters.getOrDefault(name, List.of())) {
			for (String part : given.split(",")) {
				String v = part.trim();
				if (v.isEmpty()) {
					continue;
				}
				String normalized = name.equals("source") ? v.toLowerCase(Locale.ROOT) : v.toUpperCase(Locale.ROOT);
				if (!FILTERS.get(name).contains(normalized)) {
					throw ContextualRefusal.badParameter("'" + v + "' is not one of " + FILTERS.get(name), name);
				}
				values.add(normalized);
			}
		}
		return values;
	}

	private static String single(Map<String, List<String>> parameters, String name) {
		List<String> values = parameters.get(name);
		if (values == null || values.isEmpty()) {
			return null;
		}
		if (values.size() > 1) {
			throw ContextualRefusal.badParameter("given " + values.size() + " times; it takes one value", name);
		}
		return values.get(0);
	}

	private static Instant instant(String value, String name, ZoneId zone) {
		try {
			// A raw '+' of an offset arrives as a space.
			DateTimeType date = new DateTimeType(value.trim().replace(' ', '+'));
			if (date.getTimeZone() == null || !value.contains("T")) {
				date.setTimeZone(java.util.TimeZone.getTimeZone(zone));
			}
			return date.getValue().toInstant();
		} catch (RuntimeException e) {
			throw ContextualRefusal.badParameter("'" + value + "' is not a FHIR dateTime (2024-06-12T16:20:00+02:00)", name);
		}
	}

	private static int number(Map<String, List<String>> parameters, String name, int byDefault, int min, int max) {
		String value = single(parameters, name);
		if (value == null) {
			return byDefault;
		}
		try {
			int n = Integer.parseInt(value.trim());
			if (n < min) {
				throw new NumberFormatException();
			}
			return Math.min(n, max);
		} catch (NumberFormatException e) {
			throw ContextualRefusal.badParameter("'" + value + "' is not a whole number of at least " + min, name);
		}
	}
}
