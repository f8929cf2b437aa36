package fr.sas.fhir.common;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One of the guide's three slot searches, read from a request's parameters
 * ({@code specifications_techniques-*-recherche_creneaux}):
 * <ul>
 * <li>individual practitioners (INT_R01): {@code Slot?schedule.actor:Practitioner.identifier=...&start=ge..&start=le..&status=free}
 * with {@code _include=Slot:schedule&_include:iterate=Schedule:actor};
 * <li>CPTS (INT_R04): the same plus {@code _include=Slot:service-type-reference&_include:iterate=HealthcareService:organization};
 * <li>SOS Médecins: {@code Schedule?actor:Location.organization.identifier=...&_has:Slot:schedule:start=ge..&_has:Slot:schedule:start=le..&_has:Slot:schedule:status=free}
 * with {@code _revinclude=Slot:schedule&_include=Schedule:actor:Location&_include:iterate=Location:organization}.
 * </ul>
 * A request is of a guide shape when it carries the shape's identifier chain. Within a shape the guide's criteria
 * are mandatory (400 naming the parameter when one is missing or unusable); a request that adds parameters or
 * includes the guide does not use is left to HAPI's generic search, with standard FHIR semantics.
 */
public record GuideSearchRequest(
		Shape shape,
		List<Token> identifiers,
		SearchBounds start,
		Set<IncludeSpec> includes,
		boolean revincludeSlots,
		Integer count,
		int offset) {

	public enum Shape {
		PRACTITIONER,
		SOS
	}

	/** A {@code system|value} identifier; {@code system} null when the request gave only a value. */
	public record Token(String system, String value) {}

	public static final String PRACTITIONER_CHAIN = "schedule.actor:Practitioner.identifier";
	public static final String SOS_CHAIN = "actor:Location.organization.identifier";
	private static final String HAS = "_has:Slot:schedule:";

	/** Whether the request is a type-level search (a GET of a type, with no id nor operation). */
	public static boolean isSearch(ca.uhn.fhir.rest.api.server.RequestDetails request) {
		return request.getRestOperationType() == ca.uhn.fhir.rest.api.RestOperationTypeEnum.SEARCH_TYPE
				|| (request.getRequestType() == ca.uhn.fhir.rest.api.RequestTypeEnum.GET && request.getId() == null
						&& request.getOperation() == null && request.getResourceName() != null);
	}

	/** Parameters that never change what a search matches: output format and paging. */
	private static final Set<String> NEUTRAL = Set.of("_format", "_pretty", "_count", "_offset");

	/**
	 * The guide's search in this request, if the request is of one of its shapes and uses nothing else; 400
	 * when it is of a shape but breaks the guide's rules.
	 */
	public static Optional<GuideSearchRequest> read(String resourceType, Map<String, String[]> parameters, int maxPractitioners,
			int maxSosAssociations, int maxCount, ZoneId zone) {
		if ("Slot".equals(resourceType) && parameters.containsKey(PRACTITIONER_CHAIN)) {
			return readPractitionerSearch(parameters, maxPractitioners, maxCount, zone);
		}
		if ("Schedule".equals(resourceType) && parameters.containsKey(SOS_CHAIN)) {
			return readSosSearch(parameters, maxSosAssociations, maxCount, zone);
		}
		return Optional.empty();
	}

	private static Optional<GuideSearchRequest> readPractitionerSearch(
			Map<String, String[]> parameters, int max, int maxCount, ZoneId zone) {
		Set<String> known = Set.of(PRACTITIONER_CHAIN, "start", "status", "_include", "_include:iterate");
		if (!onlyKnown(parameters, known)) {
			return Optional.empty();
		}
		Optional<Set<IncludeSpec>> includes = IncludeSpec.readAll(parameters, "Slot");
		if (includes.isEmpty() || parameters.containsKey("_revinclude")) {
			return Optional.empty();
		}
		requireFree("status", parameters.get("status"));
		return Optional.of(new GuideSearchRequest(Shape.PRACTITIONER,
				identifiers(PRACTITIONER_CHAIN, parameters.get(PRACTITIONER_CHAIN), max, NationalIdentifiers.IDNPS_SYSTEM),
				SearchBounds.parse("start", parameters.get("start"), zone),
				includes.get(), false, count(parameters, maxCount), offset(parameters)));
	}

	private static Optional<GuideSearchRequest> readSosSearch(
			Map<String, String[]> parameters, int max, int maxCount, ZoneId zone) {
		Set<String> known = Set.of(SOS_CHAIN, HAS + "start", HAS + "status", "_include", "_include:iterate", "_revinclude");
		if (!onlyKnown(parameters, known)) {
			return Optional.empty();
		}
		Optional<Set<IncludeSpec>> includes = IncludeSpec.readAll(parameters, "Schedule");
		String[] revincludes = parameters.getOrDefault("_revinclude", new String[0]);
		for (String revinclude : revincludes) {
			if (!"Slot:schedule".equals(revinclude.trim())) {
				return Optional.empty();
			}
		}
		if (includes.isEmpty()) {
			return Optional.empty();
		}
		requireFree(HAS + "status", parameters.get(HAS + "status"));
		return Optional.of(new GuideSearchRequest(Shape.SOS,
				identifiers(SOS_CHAIN, parameters.get(SOS_CHAIN), max, NationalIdentifiers.IDNST_SYSTEM),
				SearchBounds.parse(HAS + "start", parameters.get(HAS + "start"), zone),
				includes.get(), revincludes.length > 0, count(parameters, maxCount), offset(parameters)));
	}

	private static boolean onlyKnown(Map<String, String[]> parameters, Set<String> known) {
		return parameters.keySet().stream().allMatch(name -> known.contains(name) || NEUTRAL.contains(name));
	}

	/** The guide asks for free slots only; a booked slot is never offered to a regulator. */
	private static void requireFree(String parameter, String[] values) {
		if (values == null || values.length != 1 || !isFree(values[0])) {
			throw SearchRefusal.badParameter(parameter, "the SAS slot search requires " + parameter + "=free");
		}
	}

	private static boolean isFree(String value) {
		String v = value.trim();
		return v.equals("free") || v.equals("http://hl7.org/fhir/slotstatus|free");
	}

	/**
	 * The OR list of identifiers, with or without spaces after the commas, each also under its prefixed form: in
	 * its own system, or in the chain's national system when the request gave a value alone.
	 */
	private static List<Token> identifiers(String parameter, String[] values, int max, String nationalSystem) {
		if (values == null || values.length != 1) {
			throw SearchRefusal.badParameter(parameter, "one comma-separated list of system|value identifiers is expected");
		}
		Set<Token> tokens = new LinkedHashSet<>();
		int given = 0;
		for (String part : values[0].split(",")) {
			String text = part.trim();
			if (text.isEmpty()) {
				continue;
			}
			given++;
			int bar = text.indexOf('|');
			String system = bar < 0 ? null : text.substring(0, bar);
			String value = text.substring(bar + 1);
			if (value.isEmpty()) {
				throw SearchRefusal.badParameter(parameter, "'" + text + "' has no identifier value");
			}
			tokens.add(new Token(system == null || system.isEmpty() ? null : system, value));
			String prefixSystem = system == null || system.isEmpty() ? nationalSystem : system;
			NationalIdentifiers.prefixed(prefixSystem, value).ifPresent(p -> tokens.add(new Token(prefixSystem, p)));
		}
		if (given == 0) {
			throw SearchRefusal.badParameter(parameter, "at least one identifier is required");
		}
		if (given > max) {
			throw SearchRefusal.badParameter(parameter, given + " identifiers given, at most " + max + " are accepted");
		}
		return new ArrayList<>(tokens);
	}

	private static Integer count(Map<String, String[]> parameters, int maxCount) {
		String[] values = parameters.get("_count");
		if (values == null) {
			return null;
		}
		try {
			int count = Integer.parseInt(values[0].trim());
			if (count < 0) {
				throw SearchRefusal.badParameter("_count", "must not be negative");
			}
			return Math.min(count, maxCount);
		} catch (NumberFormatException e) {
			throw SearchRefusal.badParameter("_count", "'" + values[0] + "' is not a number");
		}
	}

	private static int offset(Map<String, String[]> parameters) {
		String[] values = parameters.get("_offset");
		if (values == null) {
			return 0;
		}
		try {
			int offset = Integer.parseInt(values[0].trim());
			if (offset < 0) {
				throw SearchRefusal.badParameter("_offset", "must not be negative");
			}
			return offset;
		} catch (NumberFormatException e) {
			throw SearchRefusal.badParameter("_offset", "'" + values[0] + "' is not a number");
		}
	}
}
