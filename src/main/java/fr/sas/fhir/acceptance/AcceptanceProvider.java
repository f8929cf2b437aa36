package fr.sas.fhir.acceptance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.sas.fhir.common.FhirOperationProvider;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublisherRegistry;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST [base]/Endpoint/<id>/$acceptance} (administrators: the role matrix lets no other role call an operation
 * it does not name) starts a connected acceptance of a registered endpoint, FHIR's asynchronous pattern: {@code 202}
 * with {@code Content-Location}, the status URL {@code [base]/Endpoint/<id>/$acceptance-result?run=<run>}, which
 * answers {@code 202} while the run goes on and {@code 200} with the JSON report (or the HTML one with
 * {@code format=html}, or as a FHIR R4 {@code TestReport} with {@code format=testreport}: {@link AcceptanceTestReport})
 * when done. {@code $acceptance-result} without {@code run} lists the endpoint's runs, newest first.
 * The test data: parameter {@code test-data} (the command line's JSON), or {@code practitioner}, {@code association},
 * {@code cpts} and {@code use-case} (repeatable; the use cases default to the endpoint's).
 */
public class AcceptanceProvider implements FhirOperationProvider {

	static final String START = "$acceptance";
	static final String RESULT = "$acceptance-result";
	private static final ObjectMapper JSON = new ObjectMapper();

	private final PublisherRegistry registry;
	private final AcceptanceRuns runs;
	private final ca.uhn.fhir.context.FhirContext fhirContext;

	AcceptanceProvider(PublisherRegistry registry, AcceptanceRuns runs, ca.uhn.fhir.context.FhirContext fhirContext) {
		this.registry = registry;
		this.runs = runs;
		this.fhirContext = fhirContext;
	}

	@Operation(name = START, type = Endpoint.class, manualResponse = true)
	public void start(@IdParam IdType id,
			@OperationParam(name = "test-data") StringType testData,
			@OperationParam(name = "practitioner", max = OperationParam.MAX_UNLIMITED) List<StringType> practitioners,
			@OperationParam(name = "association", max = OperationParam.MAX_UNLIMITED) List<StringType> associations,
			@OperationParam(name = "cpts", max = OperationParam.MAX_UNLIMITED) List<StringType> cpts,
			@OperationParam(name = "use-case", max = OperationParam.MAX_UNLIMITED) List<StringType> useCases,
			@OperationParam(name = "regulator-accounts") org.hl7.fhir.r4.model.BooleanType regulatorAccounts,
			RequestDetails request, HttpServletResponse response) throws IOException {
		PublisherEndpoint endpoint = endpoint(id);
		TestData data;
		if (testData != null && testData.hasValue()) {
			try {
				data = TestData.parse(testData.getValue());
			} catch (IOException e) {
				throw new InvalidRequestException("SAS-acceptance: parameter test-data is not the test data's JSON: " + Text.firstLine(e.getMessage()));
			}
		} else {
			List<String> claimed = values(useCases);
			if (claimed.isEmpty()) {
				endpoint.useCases().forEach(u -> claimed.add(u.code()));
			}
			data = new TestData(values(practitioners), values(associations), values(cpts), claimed,
					regulatorAccounts != null && regulatorAccounts.booleanValue());
		}
		List<String> problems = data.problems();
		if (!problems.isEmpty()) {
			throw new InvalidRequestException("SAS-acceptance: the test data " + String.join("; ", problems));
		}
		String run = runs.start(endpoint, data);
		String status = request.getFhirServerBase() + "/Endpoint/" + endpoint.id() + "/" + RESULT + "?run=" + run;
		response.setStatus(202);
		response.setHeader("Content-Location", status);
		write(response, "application/fhir+json", "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"information\","
				+ "\"code\":\"informational\",\"diagnostics\":" + JSON.writeValueAsString("acceptance run " + run + " started: " + status)
				+ "}]}");
	}

	@Operation(name = RESULT, type = Endpoint.class, idempotent = true, manualResponse = true)
	public void result(@IdParam IdType id, @OperationParam(name = "run") StringType run,
			@OperationParam(name = "format") StringType format, RequestDetails request, HttpServletResponse response) throws IOException {
		String endpointId = id.getIdPart();
		if (run == null || !run.hasValue()) {
			ArrayNode list = JSON.createArrayNode();
			for (AcceptanceRun r : runs.ofEndpoint(endpointId)) {
				ObjectNode item = list.addObject();
				item.put("run", r.getId());
				item.put("state", r.getState().name().toLowerCase());
				item.put("requestedAt", r.getRequestedAt().toString());
				item.put("finishedAt", r.getFinishedAt() == null ? null : r.getFinishedAt().toString());
				if (r.getAccepted() != null) {
					item.put("accepted", r.getAccepted());
				}
				item.put("summary", r.getSummary());
				item.put("url", request.getFhirServerBase() + "/Endpoint/" + endpointId + "/" + RESULT + "?run=" + r.getId());
			}
			write(response, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list));
			return;
		}
		AcceptanceRun found = runs.find(run.getValue()).filter(r -> r.getEndpointId().equals(endpointId))
				.orElseThrow(() -> new ResourceNotFoundException("SAS-acceptance: no acceptance run " + run.getValue()
						+ " of Endpoint/" + endpointId));
		switch (found.getState()) {
			case RUNNING -> {
				response.setStatus(202);
				response.setHeader("X-Progress", "running since " + found.getRequestedAt());
				response.setHeader("Retry-After", "5");
				write(response, "application/fhir+json", "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"information\","
						+ "\"code\":\"informational\",\"diagnostics\":\"acceptance run in progress\"}]}");
			}
			case ERROR -> {
				response.setStatus(500);
				write(response, "application/fhir+json", "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
						+ "\"code\":\"exception\",\"diagnostics\":" + JSON.writeValueAsString("the acceptance run failed: " + found.getSummary())
						+ "}]}");
			}
			case DONE -> {
				String json = found.getReport() == null ? "{\"summary\":" + JSON.writeValueAsString(found.getSummary()) + "}" : found.getReport();
				if (format != null && "html".equals(format.getValue()) && found.getReport() != null) {
					write(response, "text/html", AcceptanceReports.html(AcceptanceReports.fromJson(found.getReport())));
				} else if (format != null && "testreport".equals(format.getValue()) && found.getReport() != null) {
					AcceptanceReport report = AcceptanceReports.fromJson(found.getReport());
					java.time.Instant issued = found.getFinishedAt() != null ? found.getFinishedAt()
							: report.startedAt().plus(report.duration());
					write(response, "application/fhir+json", fhirContext.newJsonParser().setPrettyPrint(true)
							.encodeResourceToString(AcceptanceTestReport.of(report, found.getId(), endpointId, issued)));
				} else {
					write(response, "application/json", json);
				}
			}
		}
	}

	private PublisherEndpoint endpoint(IdType id) {
		return registry.byId(id.getIdPart()).orElseThrow(() -> new ResourceNotFoundException("Endpoint/" + id.getIdPart()
				+ " is not in the publishers' registry"));
	}

	private static List<String> values(List<StringType> values) {
		List<String> out = new ArrayList<>();
		if (values != null) {
			values.stream().filter(StringType::hasValue).forEach(v -> out.add(v.getValue().trim()));
		}
		return out;
	}

	private static void write(HttpServletResponse response, String contentType, String body) throws IOException {
		response.setContentType(contentType);
		response.setCharacterEncoding("UTF-8");
		response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
		response.getOutputStream().flush();
	}
}
