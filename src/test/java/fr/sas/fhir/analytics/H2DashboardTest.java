package fr.sas.fhir.analytics;

import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.H2ServerTest;
import fr.sas.fhir.support.HeadlessChromium;
import fr.sas.fhir.support.ServerTestBase;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.Select;

/** The referents' dashboard in headless Chromium: its chart and table are the MeasureReport's figures. */
class H2DashboardTest extends H2ServerTest {

	@Test
	void theChartShowsTheMeasureReportAndAFilterChangesIt() {
		String run = UUID.randomUUID().toString().substring(0, 8);
		FhirHttp fhir = fhir().with(ServerTestBase.PUBLISHER_HEADER, "dash-" + run);
		OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withHour(9).withMinute(0).withSecond(0).withNano(0);
		String p = "dash-" + run + "-p";
		String rpps = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);
		PractitionerRole role = practitionerRole(p + "r", p);
		((Location) role.getContained().get(0)).getAddress().setPostalCode("97400");
		assertThat(fhir.put("/Practitioner/" + p, practitioner(p, rpps)).status()).isEqualTo(201);
		assertThat(fhir.put("/PractitionerRole/" + p + "r", role).status()).isEqualTo(201);
		assertThat(fhir.put("/Schedule/" + p + "s", practitionerSchedule(p + "s", p, p + "r")).status()).isEqualTo(201);
		for (int i = 0; i < 3; i++) {
			assertThat(fhir.put("/Slot/" + p + i, slot(p + i, p + "s", start.plusMinutes(20L * i), 20)).status()).isEqualTo(201);
		}
		LocalDate from = start.toLocalDate().minusDays(1);
		LocalDate to = from.plusDays(5);

		try (HeadlessChromium chromium = HeadlessChromium.start()) {
			var driver = chromium.driver();
			driver.get("http://localhost:" + port + "/dashboard?measure=sas-slots-offered&stratifier=departement&periodStart=" + from
					+ "&periodEnd=" + to);
			List<Object> shown = shown(driver);
			assertThat(chromium.consoleErrors()).isEmpty();
			assertThat(shown).isEqualTo(strata(from, to, "departement"));
			assertThat(driver.findElement(By.id("figures")).getText()).contains("974");
			chromium.screenshot("dashboard-slots-by-departement");

			new Select(driver.findElement(By.id("stratifier"))).selectByValue("publisher");
			driver.findElement(By.id("show")).click();
			await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(
					((JavascriptExecutor) driver).executeScript("return window.dashboard.labels.join('|')")).contains("dash-" + run));
			List<Object> byPublisher = shown(driver);
			assertThat(byPublisher).isEqualTo(strata(from, to, "publisher")).isNotEqualTo(shown);
			assertThat(driver.findElement(By.id("figures")).getText()).contains("dash-" + run + " 3");
			assertThat(chromium.consoleErrors()).isEmpty();
		}
	}

	/** "label=value" pairs the page holds (what it gave its chart), once it has loaded. */
	@SuppressWarnings("unchecked")
	private static List<Object> shown(org.openqa.selenium.WebDriver driver) {
		JavascriptExecutor js = (JavascriptExecutor) driver;
		await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(
				js.executeScript("return !!(window.dashboard && window.dashboard.report && !window.dashboard.loading)")));
		return (List<Object>) js.executeScript(
				"return window.dashboard.labels.map(function (l, i) { return l + '=' + window.dashboard.values[i]; })");
	}

	private List<Object> strata(LocalDate from, LocalDate to, String stratifier) {
		MeasureReport report = (MeasureReport) fhir().get("/Measure/sas-slots-offered/$evaluate-measure?periodStart=" + from
				+ "&periodEnd=" + to + "&stratifier=" + stratifier).resource();
		List<Object> out = new ArrayList<>();
		for (MeasureReport.StratifierGroupComponent stratum : report.getGroupFirstRep().getStratifierFirstRep().getStratum()) {
			out.add(stratum.getValue().getText() + "=" + stratum.getPopulationFirstRep().getCount());
		}
		return out;
	}
}
