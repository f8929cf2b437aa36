package fr.sas.fhir.monitoring;

import fr.sas.fhir.publishers.PublisherEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which rules hold for one endpoint, from every node's per-minute figures (minute resolution), and the evidence
 * for each: figures, and the last error with the request that caused it.
 */
final class AlertRules {

	private final MonitoringProperties properties;

	AlertRules(MonitoringProperties properties) {
		this.properties = properties;
	}

	/** How far back the rules read. */
	Duration lookback() {
		Duration longest = properties.window().compareTo(properties.unreachableFor()) > 0 ? properties.window() : properties.unreachableFor();
		return longest.plusMinutes(2);
	}

	/**
	 * @param ratesFrom the rate rules read no minute before this: the outage an open (or just closed) unreachable
	 *     alert is about is not counted again as an error rate or a latency
	 */
	Map<AlertRule, List<String>> holding(PublisherEndpoint endpoint, List<CallMinute> rows, Instant now, Instant ratesFrom) {
		Map<AlertRule, List<String>> holding = new EnumMap<>(AlertRule.class);
		unreachable(rows, now).ifPresent(e -> holding.put(AlertRule.UNREACHABLE, e));
		Instant windowStart = now.minus(properties.window()).truncatedTo(ChronoUnit.MINUTES);
		if (ratesFrom != null && ratesFrom.truncatedTo(ChronoUnit.MINUTES).isAfter(windowStart)) {
			windowStart = ratesFrom.truncatedTo(ChronoUnit.MINUTES);
		}
		Instant from = windowStart;
		MinuteFigures window = CallWindow.sum(rows.stream().filter(r -> !r.getMinute().isBefore(from)).toList());
		String over = " sur les " + properties.window().toMinutes() + " dernières minutes";
		if (!holding.containsKey(AlertRule.UNREACHABLE) && window.calls >= properties.minimumCalls()
				&& window.failureRate() >= properties.errorRate()) {
			holding.put(AlertRule.ERROR_RATE, evidence(window, String.format(Locale.ROOT, "%d appels en échec sur %d (%.0f %%, seuil %.0f %%)%s : "
					+ "%d hors délai, %d erreurs HTTP, %d erreurs TLS", window.failures, window.calls, 100 * window.failureRate(),
					100 * properties.errorRate(), over, window.timeouts, window.httpErrors, window.tlsErrors)));
		}
		long budget = (long) (endpoint.timeBudget().toMillis() * properties.latencyShare());
		if (window.calls >= properties.minimumCalls() && window.p95Millis() > budget) {
			holding.put(AlertRule.LATENCY, evidence(window, String.format(Locale.ROOT, "p95 %d ms sur %d appels%s, budget %d ms (%.0f %% de %d ms)",
					window.p95Millis(), window.calls, over, budget, 100 * properties.latencyShare(), endpoint.timeBudget().toMillis())));
		}
		if (window.checked >= properties.minimumCalls() && window.invalidRate() >= properties.invalidRate()) {
			holding.put(AlertRule.INVALID_ANSWERS, evidence(window, String.format(Locale.ROOT, "%d réponses refusées sur %d et %d avec des entrées écartées "
					+ "(%d entrées écartées ; %.0f %%, seuil %.0f %%)%s", window.invalid, window.checked, window.withDrops,
					window.dropped, 100 * window.invalidRate(), 100 * properties.invalidRate(), over)));
		}
		MinuteFigures all = CallWindow.sum(rows);
		if (all.certificateNotAfter != null && all.certificateNotAfter.isBefore(now.plus(properties.certificateWarning()))) {
			holding.put(AlertRule.CERTIFICATE_EXPIRY, List.of("le certificat TLS serveur du point d'accès expire le "
					+ all.certificateNotAfter + " (alerte " + properties.certificateWarning().toDays() + " jours avant)"));
		}
		return holding;
	}

	/**
	 * Every call failing for {@code unreachable-for}: a failed call at least that old, no answer since (a minute
	 * that has both counts as answered), and a failed or skipped call in the last {@code unreachable-for}.
	 */
	private java.util.Optional<List<String>> unreachable(List<CallMinute> rows, Instant now) {
		Instant lastAnswer = null;
		for (CallMinute row : rows) {
			if (row.figures().answered > 0) {
				lastAnswer = row.getMinute();
			}
		}
		Instant since = lastAnswer;
		List<CallMinute> failing = rows.stream()
				.filter(r -> since == null || r.getMinute().isAfter(since))
				.filter(r -> r.figures().failures > 0 || r.figures().notCalled > 0).toList();
		Instant limit = now.minus(properties.unreachableFor());
		if (failing.stream().noneMatch(r -> r.figures().failures > 0 && !r.getMinute().isAfter(limit))
				|| failing.stream().noneMatch(r -> !r.getMinute().isBefore(limit.truncatedTo(ChronoUnit.MINUTES)))) {
			return java.util.Optional.empty();
		}
		MinuteFigures figures = CallWindow.sum(failing);
		return java.util.Optional.of(evidence(figures, String.format(Locale.ROOT, "tous les appels échouent depuis %s (%d appels : %d hors délai, "
						+ "%d erreurs HTTP, %d erreurs TLS ; %d évités par le disjoncteur), aucune réponse depuis %s",
				failing.get(0).getMinute(), figures.calls, figures.timeouts, figures.httpErrors, figures.tlsErrors,
				figures.notCalled, since == null ? "le début de la fenêtre" : since.toString())));
	}

	private static List<String> evidence(MinuteFigures figures, String summary) {
		List<String> lines = new ArrayList<>();
		lines.add(summary);
		if (figures.lastError != null) {
			lines.add("dernière erreur : " + figures.lastError);
		}
		return lines;
	}
}
