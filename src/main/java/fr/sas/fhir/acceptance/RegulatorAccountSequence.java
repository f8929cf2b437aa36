package fr.sas.fhir.acceptance;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.sas.fhir.common.NationalIdentifiers;
import fr.sas.fhir.publishers.GuideRequests;
import fr.sas.fhir.publishers.PublisherCall;
import fr.sas.fhir.publishers.PublisherClient;
import fr.sas.fhir.publishers.PublisherEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * INT_R02 as the platform sends it to a publisher (the guide's regulator page and the FAQ's sequence; the ANS kit's
 * double creation and re-attribution): account A created by its SAS technical identifier, created again (refused),
 * given its national identifier (the FAQ's first example), then account B created by a conditional update of an
 * identifier the publisher does not hold (a creation, the page's "Point d'attention"), A deactivated by its national
 * identifier (the FAQ's second example), and A's national identifier given to B. Each step is a check; a step whose
 * prerequisite failed is skipped with that reason (its answer would say nothing). Last, the accounts left active are
 * deactivated (not a check). Every request goes through {@link PublisherClient}; writes are never retried.
 */
class RegulatorAccountSequence {

	record Outcome(List<CheckResult> results, int requests) {}

	private static final String FHIR_JSON = "application/fhir+json";
	private static final ObjectMapper JSON = new ObjectMapper();

	private final FhirContext fhirContext;
	private final PublisherClient client;
	private final AcceptanceProperties properties;

	RegulatorAccountSequence(FhirContext fhirContext, PublisherClient client, AcceptanceProperties properties) {
		this.fhirContext = fhirContext;
		this.client = client;
		this.properties = properties;
	}

	Outcome run(PublisherEndpoint endpoint, TestRegulatorAccounts accounts) {
		return new Sequence(endpoint, accounts).run();
	}

	private final class Sequence {
		private final PublisherEndpoint endpoint;
		private final TestRegulatorAccounts accounts;
		private final List<CheckResult> results = new ArrayList<>();
		private int requests;

		Sequence(PublisherEndpoint endpoint, TestRegulatorAccounts accounts) {
			this.endpoint = endpoint;
			this.accounts = accounts;
		}

		Outcome run() {
			String sas = TestRegulatorAccounts.SAS_SYSTEM;
			String idnps = NationalIdentifiers.IDNPS_SYSTEM;
			byte[] first = body(sas, accounts.first(), true, accounts.first());

			Step create = post(first);
			boolean created = create.status() == 201 && create.location() != null && create.location().contains("Practitioner/");
			results.add(created ? Checks.ACCOUNTS_CREATE.pass("201, Location " + create.location())
					: Checks.ACCOUNTS_CREATE.fail(create.status() == 201 ? "201 without a Location naming the Practitioner"
							: create.said(), create.request(), create.answer(), "201 Created, Location: [base]/Practitioner/<id>"));
			boolean accountA = create.succeeded();

			if (!accountA) {
				skip(Checks.ACCOUNTS_DUPLICATE, "the creation was not accepted (accounts.create): no account to create twice");
			} else {
				Step again = post(first);
				if (again.status() >= 400 && again.status() < 500 && again.outcome()) {
					results.add(Checks.ACCOUNTS_DUPLICATE.pass("refused: " + again.status()));
				} else {
					results.add(Checks.ACCOUNTS_DUPLICATE.fail(again.succeeded()
									? "the second creation was accepted (" + again.status() + "): the account is stored twice"
									: again.status() >= 400 && again.status() < 500 ? "refused without an OperationOutcome" : again.said(),
							again.request(), again.answer(), "4xx (409 or 422) with an OperationOutcome: the account exists"));
				}
			}

			boolean national = false;
			if (!accountA) {
				skip(Checks.ACCOUNTS_UPDATE, "the creation was not accepted (accounts.create): no account to update");
			} else {
				Step update = put(sas, accounts.first(), body(idnps, accounts.national(), true, accounts.first()));
				national = expect200(Checks.ACCOUNTS_UPDATE, update, "the account created");
			}

			Step conditional = put(sas, accounts.second(), body(sas, accounts.second(), true, accounts.second()));
			boolean accountB = conditional.succeeded();
			results.add(accountB ? Checks.ACCOUNTS_CONDITIONAL_CREATE.pass("created: " + conditional.status())
					: Checks.ACCOUNTS_CONDITIONAL_CREATE.fail(conditional.said(), conditional.request(), conditional.answer(),
							"2xx (201 Created): an update of an account the publisher does not hold behaves as its creation"));

			boolean deactivated = false;
			if (!national) {
				skip(Checks.ACCOUNTS_DEACTIVATE, "the account has no national identifier to be named by (accounts.update "
						+ (accountA ? "failed" : "not run") + ")");
			} else {
				Step off = put(idnps, accounts.national(), body(idnps, accounts.national(), false, accounts.first()));
				deactivated = expect200(Checks.ACCOUNTS_DEACTIVATE, off, "the account holding that national identifier");
			}

			boolean moved = false;
			if (!deactivated || !accountB) {
				skip(Checks.ACCOUNTS_REATTRIBUTION, !deactivated
						? "no deactivated account holds the national identifier (accounts.deactivate did not pass)"
						: "no second account to give it to (accounts.conditional-create did not pass)");
			} else {
				Step reattribution = put(sas, accounts.second(), body(idnps, accounts.national(), true, accounts.second()));
				moved = expect200(Checks.ACCOUNTS_REATTRIBUTION, reattribution, "the account its SAS technical identifier names");
			}

			// The test accounts are not left active in the publisher's system.
			if (moved) {
				put(idnps, accounts.national(), body(idnps, accounts.national(), false, accounts.second()));
			} else if (accountB) {
				put(sas, accounts.second(), body(sas, accounts.second(), false, accounts.second()));
			}
			if (accountA && !deactivated) {
				put(national ? idnps : sas, national ? accounts.national() : accounts.first(),
						body(national ? idnps : sas, national ? accounts.national() : accounts.first(), false, accounts.first()));
			}
			return new Outcome(List.copyOf(results), requests);
		}

		/** An update of an account held: 200 (the guide's Réponse de base -- Succès); 201 is a second account. */
		private boolean expect200(Check check, Step step, String which) {
			if (step.status() == 200) {
				results.add(check.pass("200"));
				return true;
			}
			results.add(check.fail(step.status() == 201 ? "answered 201: a new account created instead of updating " + which
					: step.said(), step.request(), step.answer(), "200 OK: " + which + " updated"));
			return false;
		}

		private void skip(Check check, String why) {
			results.add(check.skip(why));
		}

		private byte[] body(String system, String value, boolean active, String owner) {
			return accounts.body(fhirContext, system, value, active, owner.substring(0, 8));
		}

		private Step post(byte[] body) {
			return send("POST", "Practitioner", body);
		}

		/** The guide's conditional update, {@code Practitioner?identifier=system|value} ({@code |} as {@code %7C}: see GuideRequests). */
		private Step put(String system, String value, byte[] body) {
			return send("PUT", "Practitioner?identifier=" + GuideRequests.encode(system + "|" + value), body);
		}

		private Step send(String method, String relative, byte[] body) {
			requests++;
			PublisherCall call = client.send(endpoint, null, method, relative, body, FHIR_JSON, properties.getCallBudget()).join();
			return new Step(method, call);
		}
	}

	/** One write and its answer. */
	private record Step(String method, PublisherCall call) {

		int status() {
			return call.status();
		}

		String location() {
			return call.location();
		}

		boolean succeeded() {
			return status() >= 200 && status() < 300;
		}

		String said() {
			return call.describe();
		}

		String request() {
			return method + " " + call.url();
		}

		String answer() {
			String body = new String(call.body(), StandardCharsets.UTF_8);
			return call.describe() + (call.location() == null ? "" : "\nLocation: " + call.location())
					+ (body.isEmpty() ? "" : "\n" + Text.clip(body));
		}

		/** The answer is an OperationOutcome (the guide's Réponse de base -- Echec). */
		boolean outcome() {
			try {
				return call.body().length > 0 && "OperationOutcome".equals(JSON.readTree(call.body()).path("resourceType").asText());
			} catch (java.io.IOException e) {
				return false;
			}
		}
	}
}
