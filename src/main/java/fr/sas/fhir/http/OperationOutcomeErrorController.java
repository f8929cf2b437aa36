package fr.sas.fhir.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring Boot's error page ({@code /error}, where the container forwards every error a servlet sends without a
 * body: an unknown path, a method no handler takes, an exception outside HAPI) as a FHIR OperationOutcome instead
 * of Spring's JSON or HTML. Replaces Boot's {@code BasicErrorController}.
 */
@RestController
@RequestMapping("${server.error.path:/error}")
public class OperationOutcomeErrorController implements ErrorController {

	private static final MediaType FHIR_JSON = MediaType.parseMediaType(OperationOutcomes.CONTENT_TYPE);

	@RequestMapping
	public ResponseEntity<String> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		int status = code instanceof Integer i ? i : HttpStatus.NOT_FOUND.value();
		String path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri
				? uri : request.getRequestURI();
		return ResponseEntity.status(status).contentType(FHIR_JSON)
				.body(OperationOutcomes.json(status, message(request, status, path), null));
	}

	private static String message(HttpServletRequest request, int status, String path) {
		if (status == 404) {
			return "HTTP 404: nothing is served at " + path + " (the FHIR API is at /fhir, health at /actuator/health)";
		}
		if (status >= 500 && status != 501) {
			// An exception's text may say more than a client should learn; the log has it.
			return "HTTP " + status + ": the server failed to process " + request.getMethod() + " " + path;
		}
		Object given = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
		String text = given instanceof String s && !s.isBlank() ? s : HttpStatus.valueOf(status).getReasonPhrase();
		return "HTTP " + status + ": " + text + " (" + request.getMethod() + " " + path + ")";
	}
}
