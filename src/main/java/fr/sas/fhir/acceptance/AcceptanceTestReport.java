package fr.sas.fhir.acceptance;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.TestReport;
import org.hl7.fhir.r4.model.TestReport.TestActionComponent;
import org.hl7.fhir.r4.model.TestReport.TestReportActionResult;
import org.hl7.fhir.r4.model.TestReport.TestReportTestComponent;

/**
 * A stored run as a FHIR R4 {@code TestReport}, the resource FHIR gives a conformance test's result: completed, its
 * result {@code pass} when accepted (no blocking failure) else {@code fail}, issued at the run's end, the server as
 * tester, the endpoint as the server participant; one {@code test} per group of checks (the check's id without its
 * last part: {@code capability}, {@code search.individual}, {@code faq}, {@code transport}, {@code accounts}...), one
 * action per check whose assert carries the verdict (pass, fail, warning, skip) and a message naming the check, its
 * source in the guide and what was found. The guide has no TestScript: the reference names the acceptance by display.
 */
final class AcceptanceTestReport {

	static final String RUN_SYSTEM = "https://sas-fhir-server.example/fhir/acceptance-run";
	static final String TESTER = "sas-fhir-server, connected acceptance (ans.fhir.fr.sas 1.2.0)";

	private AcceptanceTestReport() {}

	static TestReport of(AcceptanceReport report, String runId, String endpointId, Instant issued) {
		TestReport testReport = new TestReport();
		testReport.setId(runId);
		testReport.getIdentifier().setSystem(RUN_SYSTEM).setValue(runId);
		testReport.setName("Recette connectée de Endpoint/" + endpointId + " (" + report.endpoint() + ")");
		testReport.setStatus(TestReport.TestReportStatus.COMPLETED);
		testReport.setTestScript(new Reference().setDisplay("SAS connected acceptance of a publisher's endpoint (docs/acceptance.md)"));
		testReport.setResult(report.accepted() ? TestReport.TestReportResult.PASS : TestReport.TestReportResult.FAIL);
		long judged = report.results().size() - report.count(Verdict.SKIPPED);
		if (judged > 0) {
			testReport.setScore(Math.round(1000.0 * report.count(Verdict.PASS) / judged) / 10.0);
		}
		testReport.setTester(TESTER);
		testReport.setIssued(Date.from(issued));
		testReport.addParticipant().setType(TestReport.TestReportParticipantType.SERVER).setUri(report.endpoint())
				.setDisplay("Endpoint/" + endpointId);
		Map<String, TestReportTestComponent> tests = new LinkedHashMap<>();
		for (CheckResult result : report.results()) {
			String id = result.check().id();
			String group = id.substring(0, Math.max(id.lastIndexOf('.'), 0));
			TestReportTestComponent test = tests.computeIfAbsent(group.isEmpty() ? id : group,
					name -> testReport.addTest().setName(name).setDescription(description(name)));
			TestActionComponent action = test.addAction();
			action.getAssert().setResult(result(result.verdict())).setMessage(message(result)).setDetail(result.check().source());
		}
		return testReport;
	}

	static TestReportActionResult result(Verdict verdict) {
		return switch (verdict) {
			case PASS -> TestReportActionResult.PASS;
			case FAIL -> TestReportActionResult.FAIL;
			case WARNING -> TestReportActionResult.WARNING;
			case SKIPPED -> TestReportActionResult.SKIP;
		};
	}

	/** The check's id and title, then what was found; for a failure, the request, the answer and the expectation. */
	static String message(CheckResult result) {
		StringBuilder message = new StringBuilder("`").append(result.check().id()).append("` ").append(result.check().title())
				.append(result.check().blocking() ? "" : " (not blocking)").append(": ").append(result.summary());
		for (List<String> part : List.of(List.of("Request", nullToEmpty(result.request())), List.of("Answer", nullToEmpty(result.answer())),
				List.of("Expected", nullToEmpty(result.expected())))) {
			if (!part.get(1).isBlank()) {
				message.append("\n\n").append(part.get(0)).append(": ").append(Text.clip(part.get(1)));
			}
		}
		// a FHIR string holds no control character but tab, CR and LF (an answer as sent may)
		return message.toString().replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "");
	}

	private static String description(String group) {
		if (group.startsWith("search.")) {
			return "The guide's searches, use case " + group.substring("search.".length());
		}
		return switch (group) {
			case "capability" -> "The CapabilityStatement";
			case "faq" -> "The FAQ's recurring errors";
			case "time" -> "Answer times";
			case "transport" -> "Transport: TLS, certificates, mutual TLS";
			case "accounts" -> "Regulator accounts (INT_R02)";
			default -> group;
		};
	}

	private static String nullToEmpty(String text) {
		return text == null ? "" : text;
	}
}
