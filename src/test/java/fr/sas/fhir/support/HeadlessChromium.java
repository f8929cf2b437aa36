package fr.sas.fhir.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium, headless, driven by its ChromeDriver: for the pages the server serves. The paths are Debian's
 * (packages {@code chromium} and {@code chromium-driver}, which {@code .ci/run} installs); a machine without them skips
 * the browser tests instead of failing them. The flags keep the browser off a network this machine does not have.
 */
public final class HeadlessChromium implements AutoCloseable {

	public static final Path BROWSER = Path.of(System.getProperty("sas.test.chromium", "/usr/bin/chromium"));
	public static final Path DRIVER = Path.of(System.getProperty("sas.test.chromedriver", "/usr/bin/chromedriver"));

	private final ChromeDriver driver;

	private HeadlessChromium(ChromeDriver driver) {
		this.driver = driver;
	}

	/** A new browser with an empty profile; skips the calling test where Chromium is not installed. */
	public static HeadlessChromium start() {
		assumeTrue(Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER),
				"Chromium and its driver are not installed (apt-get install chromium chromium-driver)");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(BROWSER.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--ignore-certificate-errors", "--window-size=1280,900");
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
				.usingAnyFreePort().build();
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
		return new HeadlessChromium(driver);
	}

	public ChromeDriver driver() {
		return driver;
	}

	/**
	 * The page as the browser shows it, saved as {@code target/screenshots/<name>.png} for a person to look at (the
	 * tests assert the page's content; a picture shows what no assertion describes: layout, overlaps, empty charts).
	 */
	public Path screenshot(String name) {
		try {
			Path file = Path.of("target", "screenshots", name + ".png");
			Files.createDirectories(file.getParent());
			Files.write(file, driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
			return file;
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/** The console's errors since the last call (script errors, failed loads). */
	public List<String> consoleErrors() {
		return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
				.filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage)
				.toList();
	}

	@Override
	public void close() {
		driver.quit();
	}
}
