package fr.sas.fhir.acceptance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three forms of a report: JSON for machines, JUnit XML for CI tools (a blocking failure is a {@code failure},
 * a skipped check {@code skipped}, a warning passes with its text in {@code system-out}), HTML for a person
 * (self-contained: no external file, script or font; the summary first, then the failures grouped by page of the
 * guide, each expandable to its request and answer, then every check).
 */
public final class AcceptanceReports {

	public static final String JSON = "acceptance.json";
	public static final String JUNIT = "acceptance-junit.xml";
	public static final String HTML = "acceptance.html";
	private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

	private AcceptanceReports() {}

	/** Writes the three reports into {@code directory} (created if needed). */
	public static void write(AcceptanceReport report, Path directory) throws IOException {
		Files.createDirectories(directory);
		Files.writeString(directory.resolve(JSON), json(report), StandardCharsets.UTF_8);
		Files.writeString(directory.resolve(JUNIT), junit(report), StandardCharsets.UTF_8);
		Files.writeString(directory.resolve(HTML), html(report), StandardCharsets.UTF_8);
	}

	public static String json(AcceptanceReport report) {
		ObjectNode root = MAPPER.createObjectNode();
		root.put("endpoint", report.endpoint());
		root.putPOJO("useCases", report.useCases());
		root.put("startedAt", report.startedAt().toString());
		root.put("durationMs", report.duration().toMillis());
		root.put("requests", report.requests());
		root.put("accepted", report.accepted());
		ObjectNode summary = root.putObject("summary");
		summary.put("checks", report.results().size());
		for (Verdict verdict : Verdict.values()) {
			summary.put(verdict.code(), report.count(verdict));
		}
		summary.put("blockingFailures", report.blockingFailures());
		ObjectNode timings = root.putObject("timingsMs");
		report.timings().forEach(timings::put);
		ArrayNode checks = root.putArray("checks");
		for (CheckResult r : report.results()) {
			ObjectNode c = checks.addObject();
			c.put("id", r.check().id());
			c.put("title", r.check().title());
			c.put("source", r.check().source());
			c.put("page", page(r.check()));
			c.put("blocking", r.check().blocking());
			c.put("verdict", r.verdict().code());
			c.put("summary", r.summary());
			if (r.request() != null) {
				c.put("request", r.request());
			}
			if (r.answer() != null) {
				c.put("answer", r.answer());
			}
			if (r.expected() != null) {
				c.put("expected", r.expected());
			}
		}
		try {
			return MAPPER.writeValueAsString(root);
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	/** A report read back from its JSON (a stored run, shown as HTML). */
	public static AcceptanceReport fromJson(String json) {
		try {
			com.fasterxml.jackson.databind.JsonNode root = MAPPER.readTree(json);
			List<CheckResult> results = new java.util.ArrayList<>();
			for (com.fasterxml.jackson.databind.JsonNode c : root.path("checks")) {
				Check check = new Check(c.path("id").asText(), c.path("title").asText(), c.path("source").asText(),
						c.path("blocking").asBoolean());
				results.add(new CheckResult(check, Verdict.valueOf(c.path("verdict").asText().toUpperCase(Locale.ROOT)),
						c.path("summary").asText(), text(c, "request"), text(c, "answer"), text(c, "expected")));
			}
			List<String> useCases = new java.util.ArrayList<>();
			root.path("useCases").forEach(u -> useCases.add(u.asText()));
			Map<String, Long> timings = new LinkedHashMap<>();
			root.path("timingsMs").fields().forEachRemaining(e -> timings.put(e.getKey(), e.getValue().asLong()));
			return new AcceptanceReport(root.path("endpoint").asText(), useCases, java.time.Instant.parse(root.path("startedAt").asText()),
					java.time.Duration.ofMillis(root.path("durationMs").asLong()), root.path("requests").asInt(), results, timings);
		} catch (IOException e) {
			throw new IllegalArgumentException("not an acceptance report: " + e.getMessage(), e);
		}
	}

	private static String text(com.fasterxml.jackson.databind.JsonNode node, String field) {
		return node.hasNonNull(field) ? node.path(field).asText() : null;
	}

	public static String junit(AcceptanceReport report) {
		StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		xml.append("<testsuite name=\"sas-acceptance\" tests=\"").append(report.results().size())
				.append("\" failures=\"").append(report.blockingFailures())
				.append("\" errors=\"0\" skipped=\"").append(report.count(Verdict.SKIPPED))
				.append("\" time=\"").append(String.format(Locale.ROOT, "%.3f", report.duration().toMillis() / 1000.0))
				.append("\" timestamp=\"").append(report.startedAt()).append("\">\n");
		xml.append("  <properties><property name=\"endpoint\" value=\"").append(xml(report.endpoint())).append("\"/></properties>\n");
		for (CheckResult r : report.results()) {
			String id = r.check().id();
			int dot = id.lastIndexOf('.');
			xml.append("  <testcase classname=\"sas.acceptance.").append(xml(id.substring(0, dot))).append("\" name=\"")
					.append(xml(id.substring(dot + 1))).append("\" time=\"0\">");
			switch (r.verdict()) {
				case FAIL -> xml.append("\n    <failure message=\"").append(xml(r.summary())).append("\" type=\"")
						.append(r.check().blocking() ? "blocking" : "warning").append("\">").append(xml(details(r)))
						.append("</failure>\n  ");
				case SKIPPED -> xml.append("\n    <skipped message=\"").append(xml(r.summary())).append("\"/>\n  ");
				case WARNING -> xml.append("\n    <system-out>").append(xml("WARNING: " + details(r))).append("</system-out>\n  ");
				case PASS -> { }
			}
			xml.append("</testcase>\n");
		}
		return xml.append("</testsuite>\n").toString();
	}

	public static String html(AcceptanceReport report) {
		StringBuilder h = new StringBuilder();
		h.append("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">")
				.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
				.append("<title>Recette connectée — ").append(html(report.endpoint())).append("</title><style>")
				.append("body{font-family:system-ui,sans-serif;margin:2em;max-width:75em;color:#222}")
				.append(".verdict{padding:.6em 1em;border-radius:.3em;font-size:1.3em;font-weight:bold}")
				.append(".accepted{background:#d8f0d8}.refused{background:#f6d6d6}")
				.append("table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}")
				.append(".pass{color:#176317}.fail{color:#a01010;font-weight:bold}.warning{color:#8a5a00}.skipped{color:#666}")
				.append("details{margin:.4em 0;border:1px solid #ddd;padding:.4em}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;max-height:30em;overflow:auto}")
				.append("</style></head><body>\n");
		h.append("<h1>Recette connectée</h1>\n<section id=\"summary\"><p class=\"verdict ")
				.append(report.accepted() ? "accepted\" id=\"verdict\">Acceptée" : "refused\" id=\"verdict\">Refusée")
				.append("</p><table><tbody>")
				.append(row("Endpoint", html(report.endpoint())))
				.append(row("Use cases", html(String.join(", ", report.useCases()))))
				.append(row("Started", html(report.startedAt().toString())))
				.append(row("Duration", "<span id=\"duration-ms\">" + report.duration().toMillis() + "</span> ms"))
				.append(row("Requests", "<span id=\"requests\">" + report.requests() + "</span>"))
				.append(row("Checks", "<span id=\"count-checks\">" + report.results().size() + "</span>"))
				.append(row("Passed", "<span id=\"count-pass\" class=\"pass\">" + report.count(Verdict.PASS) + "</span>"))
				.append(row("Failed", "<span id=\"count-fail\" class=\"fail\">" + report.count(Verdict.FAIL) + "</span> (blocking: "
						+ "<span id=\"count-blocking\">" + report.blockingFailures() + "</span>)"))
				.append(row("Warnings", "<span id=\"count-warning\" class=\"warning\">" + report.count(Verdict.WARNING) + "</span>"))
				.append(row("Skipped", "<span id=\"count-skipped\" class=\"skipped\">" + report.count(Verdict.SKIPPED) + "</span>"))
				.append(row("Answer times", "<span id=\"timings\">" + html(timings(report.timings())) + "</span>"))
				.append("</tbody></table></section>\n");
		Map<String, List<CheckResult>> failures = new LinkedHashMap<>();
		report.results().stream().filter(r -> r.verdict() == Verdict.FAIL || r.verdict() == Verdict.WARNING)
				.forEach(r -> failures.computeIfAbsent(page(r.check()), p -> new java.util.ArrayList<>()).add(r));
		h.append("<section id=\"failures\"><h2>Failures and warnings, by page of the guide</h2>\n");
		if (failures.isEmpty()) {
			h.append("<p>None.</p>\n");
		} else {
			h.append("<p><button type=\"button\" id=\"expand-all\">Expand all</button></p>\n");
		}
		failures.forEach((page, results) -> {
			h.append("<h3>").append(html(page)).append("</h3>\n");
			for (CheckResult r : results) {
				h.append("<details class=\"failure\" data-check=\"").append(html(r.check().id())).append("\"><summary><span class=\"")
						.append(r.verdict().code()).append("\">").append(r.verdict().code().toUpperCase()).append("</span> <code>")
						.append(html(r.check().id())).append("</code> — ").append(html(r.summary())).append("</summary>\n")
						.append("<p><strong>Check</strong>: ").append(html(r.check().title())).append(" (")
						.append(r.check().blocking() ? "blocking" : "not blocking").append(")<br><strong>Source</strong>: ")
						.append(html(r.check().source())).append("</p>\n");
				if (r.expected() != null) {
					h.append("<p><strong>Expected</strong>: ").append(html(r.expected())).append("</p>\n");
				}
				if (r.request() != null) {
					h.append("<p><strong>Request</strong></p><pre class=\"request\">").append(html(r.request())).append("</pre>\n");
				}
				if (r.answer() != null) {
					h.append("<p><strong>Answer</strong></p><pre class=\"answer\">").append(html(r.answer())).append("</pre>\n");
				}
				h.append("</details>\n");
			}
		});
		h.append("</section>\n<section id=\"checks\"><h2>Every check</h2><table><thead><tr><th>Check</th><th>Verdict</th>")
				.append("<th>What</th><th>Source</th><th>Found</th></tr></thead><tbody>\n");
		for (CheckResult r : report.results()) {
			h.append("<tr data-verdict=\"").append(r.verdict().code()).append("\"><td><code>").append(html(r.check().id()))
					.append("</code></td><td class=\"").append(r.verdict().code()).append("\">").append(r.verdict().code())
					.append(r.check().blocking() ? "" : " (not blocking)").append("</td><td>").append(html(r.check().title()))
					.append("</td><td>").append(html(r.check().source())).append("</td><td>").append(html(r.summary()))
					.append("</td></tr>\n");
		}
		h.append("</tbody></table></section>\n");
		// The one script: "expand all"; the report reads the same without it.
		h.append("<script>\n(function(){var b=document.getElementById('expand-all');if(!b){return;}")
				.append("b.addEventListener('click',function(){document.querySelectorAll('details.failure')")
				.append(".forEach(function(d){d.open=true;});});})();\n</script>\n</body></html>\n");
		return h.toString();
	}

	/** The page of the guide (or the FAQ) a check belongs to, for grouping: its source up to the section. */
	static String page(Check check) {
		String source = check.source();
		if (source.startsWith("FAQ")) {
			return "FAQ — principales erreurs rencontrées";
		}
		int cut = source.length();
		for (String separator : List.of(", ", "; ", ": ")) {
			int at = source.indexOf(separator);
			if (at > 0 && at < cut) {
				cut = at;
			}
		}
		return source.substring(0, cut);
	}

	private static String details(CheckResult r) {
		StringBuilder text = new StringBuilder(r.summary());
		text.append("\nsource: ").append(r.check().source());
		if (r.expected() != null) {
			text.append("\nexpected: ").append(r.expected());
		}
		if (r.request() != null) {
			text.append("\nrequest: ").append(r.request());
		}
		if (r.answer() != null) {
			text.append("\nanswer:\n").append(r.answer());
		}
		return text.toString();
	}

	/** "p50 120 ms, p95 1,300 ms, max 1,400 ms (14 answers)", or "(none)". */
	static String timings(Map<String, Long> timings) {
		if (timings.isEmpty()) {
			return "(none)";
		}
		StringBuilder text = new StringBuilder();
		for (String figure : List.of("p50", "p95", "max")) {
			if (timings.containsKey(figure)) {
				text.append(text.isEmpty() ? "" : ", ").append(figure).append(' ')
						.append(String.format(java.util.Locale.ROOT, "%,d", timings.get(figure))).append(" ms");
			}
		}
		if (timings.containsKey("count")) {
			text.append(" (").append(timings.get("count")).append(" answers)");
		}
		return text.toString();
	}

	private static String row(String name, String value) {
		return "<tr><th>" + name + "</th><td>" + value + "</td></tr>";
	}

	static String html(String text) {
		if (text == null) {
			return "";
		}
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
	}

	/** XML text and attributes: escaped, and the characters XML 1.0 forbids dropped. */
	static String xml(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder out = new StringBuilder(text.length());
		text.codePoints().forEach(c -> {
			switch (c) {
				case '&' -> out.append("&amp;");
				case '<' -> out.append("&lt;");
				case '>' -> out.append("&gt;");
				case '"' -> out.append("&quot;");
				default -> {
					if (c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000) {
						out.appendCodePoint(c);
					}
				}
			}
		});
		return out.toString();
	}
}
