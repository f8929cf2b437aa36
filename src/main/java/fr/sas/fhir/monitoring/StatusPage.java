package fr.sas.fhir.monitoring;

import java.io.IOException;
import java.io.InputStream;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /status}: the operators' status page, one HTML file with plain JavaScript (no build step) reading the
 * FHIR API with the caller's own credentials: the open alerts with their deadlines, every endpoint with its state,
 * error rate and p95 ({@code $status}). The page is served to any authenticated caller; what it shows is what the role
 * matrix lets that caller read (administrators: everything).
 */
@RestController
@ConditionalOnProperty(prefix = "sas.monitoring", name = "enabled", havingValue = "true")
class StatusPage {

	private final byte[] page;

	StatusPage() throws IOException {
		try (InputStream in = StatusPage.class.getResourceAsStream("/monitoring/status.html")) {
			page = in.readAllBytes();
		}
	}

	@GetMapping(value = {"/status", "/status.html"}, produces = MediaType.TEXT_HTML_VALUE)
	ResponseEntity<byte[]> page() {
		return ResponseEntity.ok().contentType(new MediaType("text", "html", java.nio.charset.StandardCharsets.UTF_8))
				.header("Cache-Control", "no-cache").body(page);
	}
}
