package fr.sas.fhir.common;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.interceptor.ResponseHighlighterInterceptor;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Answers written from already encoded resources, for the assembled searches (the slot searches, the contextual
 * search): HAPI's encoder writes the Bundle without entries (id, meta, type, total, links), the entries' JSON is
 * spliced in exactly as HAPI's encoder would write each ({@code fullUrl}, {@code resource}, {@code search}). Used
 * for compact JSON answers, the SAS platform's case, when nothing looks at the answer's resources
 * ({@link #compactJson}); every other answer goes through HAPI's serializer. Each feature has a test comparing
 * its spliced answer with HAPI's.
 */
public final class EncodedAnswers {

	/** One entry: its full URL, its resource's JSON, its {@code search} element's JSON (see {@link #MATCH}). */
	public record Entry(String fullUrl, byte[] resource, byte[] search) {}

	/**
	 * An entry of an assembled answer, for either path: its JSON (spliced), or its resource (HAPI's serializer;
	 * parsed on demand), and its {@code search} element and that element's JSON.
	 */
	public record Assembled(String fullUrl, byte[] json, java.util.function.Supplier<? extends IBaseResource> resource,
			Bundle.BundleEntrySearchComponent search, byte[] searchJson) {}

	/**
	 * Writes an assembled search answer: spliced from the entries' JSON when {@link #compactJson} allows it, else as
	 * a Bundle through HAPI's serializer; the outgoing-response hooks are called either way.
	 */
	public static void answer(RequestDetails request, IInterceptorBroadcaster storageInterceptors, Bundle envelope,
			List<Assembled> entries, HttpServletRequest httpRequest, HttpServletResponse httpResponse) throws IOException {
		RestfulServerUtils.ResponseEncoding encoding = RestfulServerUtils.determineResponseEncodingWithDefault(request);
		if (compactJson(request, storageInterceptors, encoding)) {
			if (!outgoingResponse(request, new ResponseDetails(200, envelope), httpRequest, httpResponse)) {
				return;
			}
			List<Entry> spliced = new java.util.ArrayList<>(entries.size());
			for (Assembled entry : entries) {
				byte[] json = entry.json() != null ? entry.json()
						: bytes(request.getFhirContext().newJsonParser().encodeResourceToString(entry.resource().get()));
				spliced.add(new Entry(entry.fullUrl(), json, entry.searchJson()));
			}
			write(request.getFhirContext(), envelope, spliced, encoding.getResourceContentType(), request.isRespondGzip(),
					httpResponse);
			return;
		}
		Bundle bundle = envelope.copy();
		for (Assembled entry : entries) {
			Bundle.BundleEntryComponent e = bundle.addEntry().setResource((org.hl7.fhir.r4.model.Resource) entry.resource().get())
					.setSearch(entry.search().copy());
			if (entry.fullUrl() != null) {
				e.setFullUrl(entry.fullUrl());
			}
		}
		ResponseDetails response = new ResponseDetails(200, bundle);
		if (!outgoingResponse(request, response, httpRequest, httpResponse)) {
			return;
		}
		RestfulServerUtils.streamResponseAsResource(request.getServer(), response.getResponseResource(),
				RestfulServerUtils.determineSummaryMode(request), response.getResponseCode(), false, request.isRespondGzip(),
				request);
	}

	public static final byte[] MATCH = bytes("{\"mode\":\"match\"}");
	public static final byte[] INCLUDE = bytes("{\"mode\":\"include\"}");
	private static final byte[] ENTRY_OPEN = bytes(",\"entry\":[");
	private static final byte[] FULL_URL = bytes("\"fullUrl\":");
	private static final byte[] RESOURCE = bytes("\"resource\":");
	private static final byte[] SEARCH = bytes("\"search\":");

	private EncodedAnswers() {}

	/**
	 * Compact JSON for a client that is not a browser, and no interceptor (beyond those known to leave search
	 * answers alone) that inspects outgoing resources, and none asked to see this answer: the answer can be
	 * written from the encoded resources.
	 */
	public static boolean compactJson(RequestDetails request, IInterceptorBroadcaster storageInterceptors,
			RestfulServerUtils.ResponseEncoding encoding) {
		if (encoding == null || encoding.getEncoding() != EncodingEnum.JSON
				|| RestfulServerUtils.prettyPrintResponse(request.getServer(), request)) {
			return false;
		}
		String accept = request.getHeader("Accept");
		String[] format = request.getParameters().get("_format");
		if ((accept != null && accept.contains("text/html"))
				|| (format != null && String.join(",", format).contains("html"))) {
			return false; // the response highlighter renders a page for a browser
		}
		if (storageInterceptors.hasHooks(Pointcut.STORAGE_PRESHOW_RESOURCES) || LeavesSearchAnswersAlone.inspected(request)) {
			return false;
		}
		for (Object interceptor : request.getServer().getInterceptorService().getAllRegisteredInterceptors()) {
			if (!(interceptor instanceof ResponseHighlighterInterceptor)
					&& !(interceptor instanceof LeavesSearchAnswersAlone)
					&& INSPECTS_ANSWERS.get(interceptor.getClass())) {
				return false;
			}
		}
		return true;
	}

	/** Whether a class has a hook that sees outgoing resources. */
	private static final ClassValue<Boolean> INSPECTS_ANSWERS = new ClassValue<>() {
		@Override
		protected Boolean computeValue(Class<?> type) {
			for (Method method : type.getMethods()) {
				Hook hook = method.getAnnotation(Hook.class);
				if (hook != null && Set.of(Pointcut.SERVER_OUTGOING_RESPONSE, Pointcut.STORAGE_PRESHOW_RESOURCES,
								Pointcut.SERVER_OUTGOING_WRITER_CREATED)
						.contains(hook.value())) {
					return true;
				}
			}
			return false;
		}
	};

	/**
	 * The {@code SERVER_INCOMING_REQUEST_PRE_HANDLED} hooks (where authorization sits), as HAPI calls them before a
	 * search: for a search answered outside HAPI's pipeline.
	 */
	public static void preHandled(RequestDetails request) {
		IInterceptorBroadcaster broadcaster = request.getInterceptorBroadcaster();
		if (broadcaster != null && broadcaster.hasHooks(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)) {
			broadcaster.callHooks(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, new HookParams()
					.add(RequestDetails.class, request)
					.addIfMatchesType(ServletRequestDetails.class, request)
					.add(ca.uhn.fhir.rest.api.RestOperationTypeEnum.class, ca.uhn.fhir.rest.api.RestOperationTypeEnum.SEARCH_TYPE));
		}
	}

	/** A refusal answered from a hook (an exception thrown out of a hook is logged by HAPI as a failure of it). */
	public static void refuse(RequestDetails request, ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException refused)
			throws IOException {
		RestfulServerUtils.streamResponseAsResource(request.getServer(), refused.getOperationOutcome(), Set.of(),
				refused.getStatusCode(), false, false, request);
	}

	/** The {@code SERVER_OUTGOING_RESPONSE} hooks, as HAPI calls them; false when one has answered itself. */
	public static boolean outgoingResponse(RequestDetails request, ResponseDetails response,
			HttpServletRequest httpRequest, HttpServletResponse httpResponse) {
		IInterceptorBroadcaster broadcaster = request.getInterceptorBroadcaster();
		if (broadcaster == null || !broadcaster.hasHooks(Pointcut.SERVER_OUTGOING_RESPONSE)) {
			return true;
		}
		return broadcaster.callHooks(Pointcut.SERVER_OUTGOING_RESPONSE, new HookParams()
				.add(RequestDetails.class, request)
				.addIfMatchesType(ServletRequestDetails.class, request)
				.add(IBaseResource.class, response.getResponseResource())
				.add(ResponseDetails.class, response)
				.add(HttpServletRequest.class, httpRequest)
				.add(HttpServletResponse.class, httpResponse));
	}

	/** Writes {@code envelope} (a Bundle without entries) with {@code entries} spliced in after its last element. */
	public static void write(FhirContext fhirContext, Bundle envelope, List<Entry> entries, String contentType, boolean gzip,
			HttpServletResponse response) throws IOException {
		String head = fhirContext.newJsonParser().setPrettyPrint(false).encodeResourceToString(envelope);
		response.setStatus(200);
		response.setContentType(contentType);
		response.setCharacterEncoding("UTF-8");
		if (gzip) {
			response.addHeader("Content-Encoding", "gzip");
		}
		OutputStream out = gzip ? new GZIPOutputStream(response.getOutputStream(), 8192) : response.getOutputStream();
		try (out) {
			if (entries.isEmpty()) {
				out.write(bytes(head));
				return;
			}
			out.write(bytes(head.substring(0, head.length() - 1)));
			out.write(ENTRY_OPEN);
			boolean first = true;
			for (Entry entry : entries) {
				if (!first) {
					out.write(',');
				}
				first = false;
				out.write('{');
				if (entry.fullUrl() != null) {
					out.write(FULL_URL);
					out.write(bytes(jsonString(entry.fullUrl())));
					out.write(',');
				}
				if (entry.resource() != null) {
					out.write(RESOURCE);
					out.write(entry.resource());
					out.write(',');
				}
				out.write(SEARCH);
				out.write(entry.search());
				out.write('}');
			}
			out.write(']');
			out.write('}');
		}
	}

	/** A JSON string literal, escaped as HAPI's (Jackson-based) encoder escapes it. */
	public static String jsonString(String value) {
		StringBuilder b = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> b.append("\\\"");
				case '\\' -> b.append("\\\\");
				case '\n' -> b.append("\\n");
				case '\r' -> b.append("\\r");
				case '\t' -> b.append("\\t");
				default -> {
					if (c < 0x20) {
						b.append(String.format("\\u%04X", (int) c));
					} else {
						b.append(c);
					}
				}
			}
		}
		return b.append('"').toString();
	}

	public static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}
}
