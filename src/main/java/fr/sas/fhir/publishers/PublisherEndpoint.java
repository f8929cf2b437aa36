package fr.sas.fhir.publishers;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Extension;

/**
 * A publisher's FHIR endpoint as the platform calls it, read from an {@code Endpoint} of the registry (profile
 * {@code sas-publisher-endpoint}): its base address, the use cases it serves, its time budget, the client
 * certificate to present, its environment, its status and period.
 *
 * @param id the Endpoint's id (the tag of its calls in the meters and the alerts)
 * @param version the Endpoint's version: a change gives the endpoint a new circuit breaker and client
 * @param address the FHIR base, without a trailing slash
 * @param headers the {@code Endpoint.header} lines ({@code Name: value}) sent with every call
 */
public record PublisherEndpoint(
		String id,
		String version,
		String name,
		URI address,
		Set<UseCase> useCases,
		Endpoint.EndpointStatus status,
		String environment,
		Duration timeBudget,
		String certificateAlias,
		String publisher,
		Instant from,
		Instant until,
		List<String> headers) {

	public static final String BASE = "https://sas-fhir-server.example/fhir/StructureDefinition/";
	public static final String PROFILE = BASE + "sas-publisher-endpoint";
	public static final String USE_CASE = BASE + "sas-endpoint-use-case";
	public static final String TIME_BUDGET = BASE + "sas-endpoint-time-budget";
	public static final String CLIENT_CERTIFICATE = BASE + "sas-endpoint-client-certificate";
	public static final String ENVIRONMENT = BASE + "sas-endpoint-environment";

	/** Whether calls go to it now: active, and within its period. */
	public boolean callable(Instant now) {
		return status == Endpoint.EndpointStatus.ACTIVE && (from == null || !now.isBefore(from))
				&& (until == null || now.isBefore(until));
	}

	/** The endpoint's own URL of a relative reference ({@code Slot/1}) or a search ({@code Slot?...}). */
	public String url(String relative) {
		return address + "/" + relative;
	}

	/** Reads an Endpoint of the registry; {@code defaultBudget} when it gives no time budget. */
	public static PublisherEndpoint of(Endpoint endpoint, Duration defaultBudget) {
		Set<UseCase> useCases = EnumSet.noneOf(UseCase.class);
		for (Extension e : endpoint.getExtensionsByUrl(USE_CASE)) {
			UseCase.ofCode(e.getValue().primitiveValue()).ifPresent(useCases::add);
		}
		Duration budget = duration(endpoint.getExtensionByUrl(TIME_BUDGET)).orElse(defaultBudget);
		String alias = Optional.ofNullable(endpoint.getExtensionByUrl(CLIENT_CERTIFICATE))
				.map(e -> e.getValue().primitiveValue()).filter(a -> !a.isBlank()).orElse(null);
		String environment = Optional.ofNullable(endpoint.getExtensionByUrl(ENVIRONMENT))
				.map(e -> e.getValue().primitiveValue()).orElse(null);
		String address = endpoint.getAddress() == null ? "" : endpoint.getAddress().trim();
		while (address.endsWith("/")) {
			address = address.substring(0, address.length() - 1);
		}
		String publisher = endpoint.hasManagingOrganization()
				? Optional.ofNullable(endpoint.getManagingOrganization().getDisplay())
						.orElse(endpoint.getManagingOrganization().getReference())
				: null;
		List<String> headers = new ArrayList<>();
		endpoint.getHeader().forEach(h -> headers.add(h.getValue()));
		return new PublisherEndpoint(endpoint.getIdElement().getIdPart(), endpoint.getIdElement().getVersionIdPart(),
				endpoint.getName(), URI.create(address), useCases, endpoint.getStatus(), environment, budget, alias,
				publisher,
				endpoint.getPeriod().hasStart() ? endpoint.getPeriod().getStart().toInstant() : null,
				endpoint.getPeriod().hasEnd() ? endpoint.getPeriod().getEnd().toInstant() : null,
				List.copyOf(headers));
	}

	/** A Duration in ms, s, min or h (UCUM), if it is one of those. */
	static Optional<Duration> duration(Extension extension) {
		if (extension == null || !(extension.getValue() instanceof org.hl7.fhir.r4.model.Duration d) || !d.hasValue()
				|| d.hasComparator()) {
			return Optional.empty();
		}
		String unit = d.hasCode() ? d.getCode() : d.getUnit();
		double value = d.getValue().doubleValue();
		long millis = switch (unit == null ? "" : unit) {
			case "ms" -> Math.round(value);
			case "s" -> Math.round(value * 1000);
			case "min" -> Math.round(value * 60_000);
			case "h" -> Math.round(value * 3_600_000);
			default -> -1;
		};
		return millis <= 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
	}
}
