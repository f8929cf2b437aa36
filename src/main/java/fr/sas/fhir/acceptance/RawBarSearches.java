package fr.sas.fhir.acceptance;

import ca.uhn.fhir.context.FhirContext;
import fr.sas.fhir.publishers.CallOutcome;
import fr.sas.fhir.publishers.ClientCertificates;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherEndpoint;
import fr.sas.fhir.publishers.PublishersProperties;
import fr.sas.fhir.publishers.UseCase;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;

/**
 * {@code search.<use case>.raw-bar}: a search of the guide sent again with its {@code |} raw on the request line
 * ({@link RawBarRequest}), as the pages print it and the platform's curl-like clients send it, and its answer compared
 * with the {@code %7C} one the other checks read: the same status, a searchset Bundle, the same entries and total. A
 * server refusing the raw bar (Tomcat's default: {@code relaxedQueryChars} unset, 400) passes every other check and
 * fails against the platform; this check is the one that says so.
 */
public class RawBarSearches {

	private final ClientCertificates certificates;
	private final PublishersProperties publishers;
	private final AcceptanceProperties properties;
	private final FhirContext fhirContext;
	private final Clock clock;

	public RawBarSearches(ClientCertificates certificates, PublishersProperties publishers, AcceptanceProperties properties,
			FhirContext fhirContext, Clock clock) {
		this.certificates = certificates;
		this.publishers = publishers;
		this.properties = properties;
		this.fhirContext = fhirContext;
		this.clock = clock;
	}

	/** The guide's request as printed: the encoded request's {@code %7C} back to {@code |} (nothing else changes). */
	static String printed(String encodedRelative) {
		return encodedRelative.replace("%7C", "|");
	}

	/** Sends {@code encodedRelative} with its bars raw and reads the answer as the other searches' answers are read. */
	Exchange send(PublisherEndpoint endpoint, UseCase useCase, String encodedRelative, List<String> asked) {
		String relative = printed(encodedRelative);
		String path = endpoint.address().getRawPath() == null ? "" : endpoint.address().getRawPath();
		SSLContext tls = "https".equalsIgnoreCase(endpoint.address().getScheme())
				? certificates.context(endpoint.certificateAlias()) : null;
		Instant startedAt = clock.instant();
		RawBarRequest.Answer answer = RawBarRequest.get(endpoint.address(), path + "/" + relative, endpoint.headers(), tls,
				properties.getCallBudget(), publishers.getMaxAnswerSize().toBytes());
		CallOutcome outcome = answer.error() != null ? CallOutcome.CONNECTION_ERROR
				: answer.status() >= 200 && answer.status() < 300 ? CallOutcome.ANSWERED : CallOutcome.HTTP_ERROR;
		PublisherCall call = new PublisherCall(endpoint, useCase, endpoint.url(relative), startedAt, answer.elapsed(), outcome,
				answer.status(), answer.contentType(), answer.body(), answer.error(), null, "HTTP_1_1", answer.headers().get("location"));
		return Exchange.of(fhirContext, call, asked, true);
	}

	/** The verdict: {@code raw} against {@code encoded}, the same search with {@code %7C}. */
	static CheckResult compare(Check check, Exchange encoded, Exchange raw) {
		if (!encoded.usable() || encoded.call().status() != 200) {
			return check.skip("the search with %7C was not answered with a searchset Bundle (" + check.id().replace(".raw-bar", ".answer")
					+ "): nothing to compare with");
		}
		long bars = raw.request().chars().filter(c -> c == '|').count();
		Set<String> expectedKeys = new TreeSet<>(encoded.byKey().keySet());
		int entries = encoded.bundle().getEntry().size();
		String total = encoded.bundle().hasTotal() ? String.valueOf(encoded.bundle().getTotal()) : "absent";
		String request = raw.request() + " (the request line as sent: " + bars + " raw '|')";
		String expected = "the answer to the same search with %7C: 200, a searchset Bundle of " + entries + " entries, total " + total;
		int status = raw.call().status();
		if (status != 200) {
			String what = status == 0 ? "no answer (" + raw.call().error() + ")" : "answered " + status;
			return check.fail(what + " to the search with its '|' raw, as the guide prints it; answered 200 with %7C", request,
					raw.head(), expected);
		}
		if (!raw.usable()) {
			return check.fail("with its '|' raw, as the guide prints it: " + raw.problem(), request, raw.head(), expected);
		}
		Set<String> rawKeys = new TreeSet<>(raw.byKey().keySet());
		String rawTotal = raw.bundle().hasTotal() ? String.valueOf(raw.bundle().getTotal()) : "absent";
		if (!rawKeys.equals(expectedKeys) || raw.bundle().getEntry().size() != entries || !rawTotal.equals(total)) {
			Set<String> missing = new TreeSet<>(expectedKeys);
			missing.removeAll(rawKeys);
			Set<String> extra = new TreeSet<>(rawKeys);
			extra.removeAll(expectedKeys);
			return check.fail("with its '|' raw: " + raw.bundle().getEntry().size() + " entries, total " + rawTotal + " (with %7C: "
					+ entries + ", total " + total + ")" + (missing.isEmpty() ? "" : "; missing " + Text.clip(missing.toString()))
					+ (extra.isEmpty() ? "" : "; not in the %7C answer " + Text.clip(extra.toString())), request, raw.head(), expected);
		}
		return check.pass("the same answer with the " + bars + " '|' raw, as the guide prints them, as with %7C: 200, " + entries
				+ " entries, total " + total);
	}
}
