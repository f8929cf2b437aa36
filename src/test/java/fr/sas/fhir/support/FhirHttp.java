package fr.sas.fhir.support;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/** Plain HTTP against the server, so tests see the real status codes, headers and bodies. */
public final class FhirHttp {

	public static final FhirContext CTX = FhirContext.forR4Cached();
	private static final String FHIR_JSON = "application/fhir+json";

	private static final HttpClient PLAIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
	private final HttpClient client;
	private final String base;
	private final String accept;
	private final String[] headers;

	public FhirHttp(String base) {
		this(base, FHIR_JSON);
	}

	public FhirHttp(String base, String accept, String... headers) {
		this(PLAIN, base, accept, headers);
	}

	/** Through {@code client} (TLS with a client certificate, for instance). */
	public FhirHttp(HttpClient client, String base, String accept, String... headers) {
		this.client = client;
		this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
		this.accept = accept;
		this.headers = headers;
	}

	/** The same client, sending that header with every request (a publisher's identity, for instance). */
	public FhirHttp with(String name, String value) {
		String[] more = java.util.Arrays.copyOf(headers, headers.length + 2);
		more[headers.length] = name;
		more[headers.length + 1] = value;
		return new FhirHttp(client, base, accept, more);
	}

	public String base() {
		return base;
	}

	public Response get(String path) {
		return send(request(path).GET());
	}

	public Response get(String path, String headerName, String headerValue) {
		return send(request(path).header(headerName, headerValue).GET());
	}

	/** A GET whose URL is sent exactly as given (a raw {@code +} reaches the server as a space). */
	public Response getVerbatim(String url) {
		return send(HttpRequest.newBuilder(URI.create(base + url)).timeout(Duration.ofMinutes(5)).header("Accept", accept).GET());
	}

	public Response post(String path, IBaseResource body) {
		return send(request(path).header("Content-Type", FHIR_JSON).POST(publish(body)));
	}

	public Response post(String path, String json) {
		return send(request(path).header("Content-Type", FHIR_JSON).POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	public Response put(String path, IBaseResource body) {
		return send(request(path).header("Content-Type", FHIR_JSON).PUT(publish(body)));
	}

	public Response put(String path, String json) {
		return send(request(path).header("Content-Type", FHIR_JSON).PUT(HttpRequest.BodyPublishers.ofString(json)));
	}

	public Response put(String path, IBaseResource body, String headerName, String headerValue) {
		return send(request(path).header("Content-Type", FHIR_JSON).header(headerName, headerValue).PUT(publish(body)));
	}

	/** One transaction writing each resource at its own id ({@code PUT Type/id}), as publishers send agendas. */
	public Response putAll(java.util.List<? extends Resource> resources) {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : resources) {
			transaction.addEntry().setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
		}
		return post("/", transaction);
	}

	public Response delete(String path) {
		return send(request(path).DELETE());
	}

	/** Any method, without a body (TRACE, for instance). */
	public Response send(String method, String path) {
		return send(request(path).method(method, HttpRequest.BodyPublishers.noBody()));
	}

	private HttpRequest.Builder request(String path) {
		String url = path.startsWith("http") ? path : base + (path.startsWith("/") ? path : "/" + path);
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(escapeQuery(url)))
				.timeout(Duration.ofMinutes(5))
				.header("Accept", accept);
		for (int i = 0; i < headers.length; i += 2) {
			builder.header(headers[i], headers[i + 1]);
		}
		return builder;
	}

	/** Tests write URLs as the guide prints them ({@code |}, spaces after commas); escape what URI refuses. */
	private static String escapeQuery(String url) {
		int q = url.indexOf('?');
		if (q < 0) {
			return url;
		}
		String query = url.substring(q + 1).replace("|", "%7C").replace(" ", "%20")
				.replace("+", "%2B").replace("\"", "%22");
		return url.substring(0, q + 1) + query;
	}

	private static HttpRequest.BodyPublisher publish(IBaseResource body) {
		return HttpRequest.BodyPublishers.ofString(CTX.newJsonParser().encodeResourceToString(body));
	}

	private Response send(HttpRequest.Builder builder) {
		try {
			HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body(), response.headers());
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	public record Response(int status, String body, java.net.http.HttpHeaders headers) {

		public <T extends Resource> T as(Class<T> type) {
			return CTX.newJsonParser().parseResource(type, body);
		}

		public Resource resource() {
			return (Resource) CTX.newJsonParser().parseResource(body);
		}

		public Bundle bundle() {
			return as(Bundle.class);
		}

		/** The {@code Type/id} of the search answer's match entries, in their order. */
		public java.util.List<String> matches() {
			return bundle().getEntry().stream()
					.filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
					.map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
					.toList();
		}

		public OperationOutcome outcome() {
			return as(OperationOutcome.class);
		}

		public String header(String name) {
			return headers.firstValue(name).orElse(null);
		}

		@Override
		public String toString() {
			return status + " " + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
		}
	}
}
