package fr.sas.fhir.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.sas.fhir.publishers.UseCase;
import fr.sas.fhir.support.HeadlessChromium;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The three reports of one run: JSON, JUnit XML, and the HTML as a browser shows it. */
class AcceptanceReportsTest {

	static final String ANSWER = "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"telecom\":[{\"system\":\"phone\","
			+ "\"value\":\"02 99 <b>00</b> & 'x'\"}]}}]}\u0001";

	static AcceptanceReport report() {
		Check window = Checks.search(UseCase.INDIVIDUAL, Checks.Aspect.FREE_IN_WINDOW);
		return new AcceptanceReport("https://editeur.example.fr/fhir", List.of("individual"), Instant.parse("2026-12-05T04:00:00Z"),
				Duration.ofMillis(4321), 14, List.of(
						Checks.CAPABILITY.pass("1 checked"),
						Checks.PHONE_FORMAT.fail("phone 02 99 00 00 00 at entry[0].resource.telecom[0]",
								"GET https://editeur.example.fr/fhir/Slot?_include=Slot:schedule&a=1", ANSWER, "+33XXXXXXXXX"),
						window.fail("Slot/1 starts 2026-12-12T10:00:00+01:00, outside the window asked",
								"GET https://editeur.example.fr/fhir/Slot?x", "{\"start\":\"2026-12-12T10:00:00+01:00\"}", "start within"),
						Checks.TIME_KIT.fail("2 of 14 searches took more than 1 s", null, null, "within 1 s"),
						Checks.SOS_REFERENCES.skip("the sos use case is not claimed in the test data")),
				Map.of("p50", 120L, "p95", 1300L, "max", 1400L, "count", 14L));
	}

	@Test
	void aStoredRunReadsAsAValidFhirTestReport() {
		// as the operation gives it: from the stored JSON
		AcceptanceReport stored = AcceptanceReports.fromJson(AcceptanceReports.json(report()));
		org.hl7.fhir.r4.model.TestReport testReport = AcceptanceTestReport.of(stored, "run-1", "editeur-x",
				Instant.parse("2026-12-05T04:00:05Z"));

		assertThat(testReport.getStatus()).isEqualTo(org.hl7.fhir.r4.model.TestReport.TestReportStatus.COMPLETED);
		assertThat(testReport.getResult()).as("two blocking failures").isEqualTo(org.hl7.fhir.r4.model.TestReport.TestReportResult.FAIL);
		assertThat(testReport.getIssued()).isEqualTo(java.util.Date.from(Instant.parse("2026-12-05T04:00:05Z")));
		assertThat(testReport.getTester()).contains("connected acceptance");
		assertThat(testReport.getIdentifier().getValue()).isEqualTo("run-1");
		assertThat(testReport.getScore().doubleValue()).as("1 pass of 4 judged").isEqualTo(25.0);
		assertThat(testReport.getParticipantFirstRep().getUri()).isEqualTo("https://editeur.example.fr/fhir");
		assertThat(testReport.getParticipantFirstRep().getDisplay()).isEqualTo("Endpoint/editeur-x");
		// one test per group of checks, one assert per check, in the report's order
		assertThat(testReport.getTest()).extracting(org.hl7.fhir.r4.model.TestReport.TestReportTestComponent::getName)
				.containsExactly("capability", "faq", "search.individual", "time");
		List<String> asserts = testReport.getTest().stream().flatMap(t -> t.getAction().stream())
				.map(a -> a.getAssert().getResult().toCode() + " " + a.getAssert().getMessage().substring(0, a.getAssert().getMessage().indexOf(' ')))
				.toList();
		assertThat(asserts).containsExactly("pass `capability.statement`", "fail `faq.phone-format`", "skip `faq.sos-references`",
				"fail `search.individual.window`", "warning `time.under-1s`");
		var phone = testReport.getTest().get(1).getActionFirstRep().getAssert();
		assertThat(phone.getMessage()).contains("phone 02 99 00 00 00", "Request: GET https://editeur.example.fr/fhir/Slot?",
				"Answer: {\"resourceType\":\"Bundle\"", "Expected: +33XXXXXXXXX").doesNotContain("\u0001");
		assertThat(phone.getDetail()).contains("FAQ");
		assertThat(testReport.getTest().get(1).getAction().get(1).getAssert().getMessage()).contains("not claimed");
		assertThat(testReport.getTest().get(3).getActionFirstRep().getAssert().getMessage()).contains("(not blocking)");

		// valid against FHIR R4's TestReport (the base definitions: the guide defines no profile for it)
		ca.uhn.fhir.context.FhirContext fhir = ca.uhn.fhir.context.FhirContext.forR4Cached();
		ca.uhn.fhir.validation.FhirValidator validator = fhir.newValidator();
		validator.registerValidatorModule(new org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator(
				new org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain(
						new ca.uhn.fhir.context.support.DefaultProfileValidationSupport(fhir),
						new org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport(fhir),
						new org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService(fhir))));
		var outcome = validator.validateWithResult(fhir.newJsonParser().encodeResourceToString(testReport));
		assertThat(outcome.getMessages()).filteredOn(m -> m.getSeverity().ordinal() >= ca.uhn.fhir.validation.ResultSeverityEnum.ERROR.ordinal())
				.as(outcome.getMessages().toString()).isEmpty();
	}

	@Test
	void theJsonSaysTheVerdictTheFiguresAndEachCheck() throws Exception {
		JsonNode json = new ObjectMapper().readTree(AcceptanceReports.json(report()));

		assertThat(json.path("accepted").asBoolean()).isFalse();
		assertThat(json.path("requests").asInt()).isEqualTo(14);
		assertThat(json.path("summary").path("pass").asInt()).isEqualTo(1);
		assertThat(json.path("summary").path("fail").asInt()).isEqualTo(2);
		assertThat(json.path("summary").path("warning").asInt()).isEqualTo(1);
		assertThat(json.path("summary").path("skipped").asInt()).isEqualTo(1);
		assertThat(json.path("summary").path("blockingFailures").asInt()).isEqualTo(2);
		JsonNode phone = json.path("checks").get(1);
		assertThat(phone.path("id").asText()).isEqualTo("faq.phone-format");
		assertThat(phone.path("verdict").asText()).isEqualTo("fail");
		assertThat(phone.path("source").asText()).contains("FAQ");
		assertThat(phone.path("request").asText()).startsWith("GET https://editeur.example.fr/fhir/Slot?");
		assertThat(phone.path("answer").asText()).contains("02 99 <b>00</b>");
		assertThat(phone.path("expected").asText()).isEqualTo("+33XXXXXXXXX");
		assertThat(json.path("checks").get(3).path("verdict").asText()).isEqualTo("warning");
		assertThat(json.path("checks").get(3).path("blocking").asBoolean()).isFalse();
	}

	@Test
	void theJunitXmlIsWellFormedAndCountsTheBlockingFailures() throws Exception {
		String xml = AcceptanceReports.junit(report());
		Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
				.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

		Element suite = document.getDocumentElement();
		assertThat(suite.getAttribute("tests")).isEqualTo("5");
		assertThat(suite.getAttribute("failures")).isEqualTo("2");
		assertThat(suite.getAttribute("skipped")).isEqualTo("1");
		NodeList cases = suite.getElementsByTagName("testcase");
		Element phone = (Element) cases.item(1);
		assertThat(phone.getAttribute("classname")).isEqualTo("sas.acceptance.faq");
		assertThat(phone.getAttribute("name")).isEqualTo("phone-format");
		assertThat(((Element) phone.getElementsByTagName("failure").item(0)).getTextContent()).contains("02 99 <b>00</b> & 'x'")
				.doesNotContain("\u0001");
		Element time = (Element) cases.item(3);
		assertThat(time.getElementsByTagName("failure").getLength()).as("a warning does not fail CI").isZero();
		assertThat(time.getElementsByTagName("system-out").item(0).getTextContent()).startsWith("WARNING");
	}

	@Test
	void theHtmlRendersInABrowserWithTheJsonsFiguresAndTheFailuresByPage(@TempDir Path directory) throws Exception {
		AcceptanceReport report = report();
		AcceptanceReports.write(report, directory);
		JsonNode json = new ObjectMapper().readTree(Files.readString(directory.resolve(AcceptanceReports.JSON)));
		String html = Files.readString(directory.resolve(AcceptanceReports.HTML));
		assertThat(html).doesNotContain("http://cdn", "https://cdn", "<link ", "src=\"http");

		try (HeadlessChromium chromium = HeadlessChromium.start()) {
			var driver = chromium.driver();
			driver.get(directory.resolve(AcceptanceReports.HTML).toUri().toString());

			assertThat(driver.findElement(By.id("verdict")).getText()).isEqualTo("Refusée");
			for (String verdict : List.of("pass", "fail", "warning", "skipped")) {
				assertThat(driver.findElement(By.id("count-" + verdict)).getText())
						.isEqualTo(json.path("summary").path(verdict).asText());
			}
			assertThat(driver.findElement(By.id("count-blocking")).getText()).isEqualTo(json.path("summary").path("blockingFailures").asText());
			assertThat(driver.findElement(By.id("requests")).getText()).isEqualTo(json.path("requests").asText());
			assertThat(driver.findElement(By.id("count-checks")).getText()).isEqualTo(json.path("summary").path("checks").asText());
			assertThat(driver.findElement(By.id("timings")).getText()).isEqualTo("p50 120 ms, p95 1,300 ms, max 1,400 ms (14 answers)");
			// failures grouped by page: the FAQ, the individual search page, the kit's bar (annexes)
			List<String> pages = driver.findElements(By.cssSelector("#failures h3")).stream().map(WebElement::getText).toList();
			assertThat(pages).hasSize(3).contains("FAQ — principales erreurs rencontrées",
					"Recherche de créneaux PS (specifications_techniques-ps-recherche_creneaux)");
			List<WebElement> failures = driver.findElements(By.cssSelector("details.failure"));
			assertThat(failures).hasSize(3);
			assertThat(failures.get(0).getAttribute("open")).isNull();
			assertThat(failures.get(0).findElement(By.cssSelector("pre.answer")).isDisplayed()).isFalse();
			driver.findElement(By.id("expand-all")).click();
			assertThat(failures.get(0).getAttribute("open")).isNotNull();
			WebElement answer = driver.findElement(By.cssSelector("details[data-check='faq.phone-format'] pre.answer"));
			assertThat(answer.isDisplayed()).isTrue();
			assertThat(answer.getText()).contains("02 99 <b>00</b> & 'x'");
			assertThat(driver.findElements(By.cssSelector("#checks tbody tr"))).hasSize(json.path("checks").size());
			assertThat(chromium.consoleErrors()).isEmpty();
			chromium.screenshot("acceptance-report-expanded");
		}
	}
}
