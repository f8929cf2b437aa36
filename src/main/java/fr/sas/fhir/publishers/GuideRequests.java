package fr.sas.fhir.publishers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The guide's own requests, as the Consommateur CapabilityStatements and the search pages write them, relative to
 * a publisher's base: the identifiers as one comma-separated list, the window as {@code ge}/{@code le} bounds with
 * their offset, the includes of the use case. Reserved characters are percent-encoded ({@code |} as {@code %7C},
 * the offset's {@code +} as {@code %2B}); a FHIR server decodes them to what the pages print. Shared by the
 * aggregator (its fan-out) and the connected acceptance (the requests it checks).
 */
public final class GuideRequests {

	private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

	private GuideRequests() {}

	/** INT_R01 (individual), INT_R04 (CPTS: the same with the service includes) or the SOS search. */
	public static String of(UseCase useCase, List<String> identifiers, Instant from, Instant to, ZoneId zone) {
		String ids = identifiers.stream().map(GuideRequests::encode).collect(Collectors.joining(","));
		String ge = encode(DATE.format(from.truncatedTo(ChronoUnit.SECONDS).atZone(zone).toOffsetDateTime()));
		String le = encode(DATE.format(to.truncatedTo(ChronoUnit.SECONDS).atZone(zone).toOffsetDateTime()));
		return switch (useCase) {
			case INDIVIDUAL -> "Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&start=ge" + ge + "&start=le" + le
					+ "&schedule.actor:Practitioner.identifier=" + ids + "&status=free";
			case CPTS -> "Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&_include=Slot:service-type-reference"
					+ "&_include:iterate=HealthcareService:organization&start=ge" + ge + "&start=le" + le
					+ "&schedule.actor:Practitioner.identifier=" + ids + "&status=free";
			case SOS -> "Schedule?_revinclude=Slot:schedule&_include=Schedule:actor:Location"
					+ "&_include:iterate=Location:organization&_has:Slot:schedule:start=ge" + ge
					+ "&_has:Slot:schedule:start=le" + le + "&_has:Slot:schedule:status=free"
					+ "&actor:Location.organization.identifier=" + ids;
		};
	}

	/** Everything but letters, digits and {@code -._~:/} percent-encoded. */
	public static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%3A", ":").replace("%2F", "/");
	}
}
