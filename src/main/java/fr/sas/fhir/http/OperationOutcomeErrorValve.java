package fr.sas.fhir.http;

import java.io.IOException;
import java.io.Writer;
import jakarta.servlet.RequestDispatcher;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.res.StringManager;

/**
 * Tomcat's error report, in FHIR: what the container refuses itself, before any servlet runs (a request line it
 * cannot parse, an invalid character in the target, a header too large), is answered with a JSON
 * OperationOutcome instead of Tomcat's HTML page. Installed as the host's error report valve.
 */
public class OperationOutcomeErrorValve extends ErrorReportValve {

	private static final StringManager TOMCAT = StringManager.getManager("org.apache.catalina.valves");

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		String message = message(request, response, throwable, status);
		try {
			response.setContentType(OperationOutcomes.CONTENT_TYPE);
			response.setCharacterEncoding("UTF-8");
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(OperationOutcomes.json(status, message, null));
				response.finishResponse();
			}
		} catch (IOException | IllegalStateException ignored) {
			// the client is gone or the response cannot take a body: nothing more to say
		}
	}

	private static String message(Request request, Response response, Throwable throwable, int status) {
		Object attribute = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
		String message = attribute instanceof String s && !s.isBlank() ? s : response.getMessage();
		if ((message == null || message.isBlank()) && throwable != null) {
			message = throwable.getMessage();
		}
		if (message == null || message.isBlank()) {
			message = TOMCAT.getString("http." + status + ".desc");
		}
		return "HTTP " + status + ": " + message;
	}
}
