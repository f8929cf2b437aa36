package fr.sas.fhir.monitoring;

import fr.sas.fhir.publishers.PublisherEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The rule {@code writes-stopped}: a publisher that pushed slots regularly and stopped. Regular: slots written in at
 * least {@code regular-hours} of the {@code lookback-hours} clock hours up to its last slot write (judged before the
 * silence, so a long silence does not make it irregular); stopped: no slot written for {@code stopped-after}. Once
 * the alert is open it holds until a slot is written again, whatever the rows still kept.
 */
final class StoppedWrites {

	private final MonitoringProperties.PushedWrites settings;

	StoppedWrites(MonitoringProperties.PushedWrites settings) {
		this.settings = settings;
	}

	/** How far back the rule reads: the silence, then the look-back before it. */
	Duration lookback() {
		return settings.stoppedAfter().plusHours(settings.lookbackHours() + 1L);
	}

	/**
	 * The client id whose pushed slots an endpoint stands for: its {@code managingOrganization} as the registry reads
	 * it (display, else reference; {@code Organization/<id>} names {@code <id>}). None: the rule does not apply.
	 */
	static Optional<String> publisherOf(PublisherEndpoint endpoint) {
		String publisher = endpoint.publisher();
		if (publisher == null || publisher.isBlank()) {
			return Optional.empty();
		}
		return Optional.of(publisher.startsWith("Organization/") ? publisher.substring("Organization/".length()) : publisher);
	}

	/**
	 * The evidence, with a line on the writes refused since the last accepted one, if any: a silent publisher may be
	 * pushing still, every write refused ({@code writes-refused} says more). Counted by the hour: the refusals of
	 * hours whose last refusal came after the last accepted write.
	 */
	static List<String> withRefusals(List<String> evidence, List<WriteHour> rows, List<RefusedWriteHour> refused, Instant now) {
		Instant last = rows.stream().map(WriteHour::getLastAt).max(Instant::compareTo).orElse(Instant.MIN);
		WriteFigures since = WriteFigures.of(List.of(), refused.stream()
				.filter(r -> r.getLastAt().isAfter(last) && !r.getLastAt().isAfter(now)).toList());
		if (since.refused() == 0) {
			return evidence;
		}
		List<String> more = new java.util.ArrayList<>(evidence);
		more.add(since.refused() + " écritures de créneaux refusées depuis la dernière acceptée, par règle : " + since.byRule());
		return more;
	}

	/**
	 * @param rows the publisher's rows (every node's) since {@link #lookback()}
	 * @param open whether its alert is open: then only a new write ends it
	 * @return the evidence when the rule holds
	 */
	Optional<List<String>> holding(List<WriteHour> rows, Instant now, boolean open) {
		Instant last = rows.stream().map(WriteHour::getLastAt).max(Instant::compareTo).orElse(null);
		if (last != null && last.isAfter(now.minus(settings.stoppedAfter()))) {
			return Optional.empty();
		}
		if (open) {
			return Optional.of(List.of(last == null ? "aucun créneau écrit dans les données conservées" : "aucun créneau écrit depuis " + last));
		}
		if (last == null) {
			return Optional.empty();
		}
		Instant lastHour = last.truncatedTo(ChronoUnit.HOURS);
		Instant firstHour = lastHour.minus(settings.lookbackHours() - 1L, ChronoUnit.HOURS);
		List<WriteHour> before = rows.stream().filter(r -> !r.getHour().isBefore(firstHour) && !r.getHour().isAfter(lastHour)).toList();
		long hours = before.stream().filter(r -> r.getAccepted() > 0).map(WriteHour::getHour).distinct().count();
		if (hours < settings.regularHours()) {
			return Optional.empty();
		}
		long writes = before.stream().mapToLong(WriteHour::getAccepted).sum();
		return Optional.of(List.of(String.format(java.util.Locale.FRANCE,
				"aucun créneau écrit depuis %s (il y a %d min, seuil %d min) ; rythme habituel %.1f écritures de créneaux par heure "
						+ "(%d dans les %d heures jusqu'à la dernière, des créneaux écrits dans %d d'entre elles, régulier à partir de %d)",
				last.truncatedTo(ChronoUnit.SECONDS), Duration.between(last, now).toMinutes(), settings.stoppedAfter().toMinutes(),
				(double) writes / Math.max(1, settings.lookbackHours()), writes, settings.lookbackHours(), hours, settings.regularHours())));
	}
}
