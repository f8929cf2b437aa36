package fr.sas.fhir.monitoring;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The rule {@code writes-refused}: a publisher most of whose pushed slot writes are refused, over the clock hours
 * the last {@code window} touches (the writes are counted per hour), with at least {@code minimum-writes} slot writes
 * in them. Without it such a publisher looks merely silent ({@code writes-stopped}), which does not say why.
 */
final class MostlyRefusedWrites {

	private final MonitoringProperties.RefusedWrites settings;

	MostlyRefusedWrites(MonitoringProperties.RefusedWrites settings) {
		this.settings = settings;
	}

	/** The first clock hour the rule reads. */
	Instant from(Instant now) {
		return now.minus(settings.window()).truncatedTo(ChronoUnit.HOURS);
	}

	/**
	 * @param accepted the publisher's accepted rows (every node's), at least since {@link #from}
	 * @param refused its refused rows, at least since {@link #from}
	 * @return the evidence (in French, as the operators read it) when the rule holds
	 */
	Optional<List<String>> holding(List<WriteHour> accepted, List<RefusedWriteHour> refused, Instant now) {
		Instant from = from(now);
		// the hours from the window's up to now's (none later: a row of a later hour is no evidence of now)
		WriteFigures figures = WriteFigures.of(
				accepted.stream().filter(r -> !r.getHour().isBefore(from) && !r.getHour().isAfter(now)).toList(),
				refused.stream().filter(r -> !r.getHour().isBefore(from) && !r.getHour().isAfter(now)).toList());
		if (figures.total() < settings.minimumWrites() || figures.refusedRate() < settings.rate()) {
			return Optional.empty();
		}
		List<String> evidence = new ArrayList<>();
		evidence.add(String.format(Locale.ROOT, "%d écritures de créneaux refusées sur %d (%.0f %%, seuil %.0f %%) depuis %s, "
						+ "par règle : %s", figures.refused(), figures.total(), 100 * figures.refusedRate(), 100 * settings.rate(),
				from, figures.byRule()));
		if (figures.lastRefusal() != null) {
			evidence.add("dernier refus (" + figures.lastRefusalRule() + ", " + figures.lastRefusalAt().truncatedTo(ChronoUnit.SECONDS)
					+ ") : " + figures.lastRefusal());
		}
		return Optional.of(evidence);
	}
}
