package fr.sas.fhir.acceptance;

import fr.sas.fhir.publishers.UseCase;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalogue of checks, each with the page and section of the guide (ans.fhir.fr.sas 1.2.0) or the FAQ item it
 * comes from. Search checks exist once per use case ({@code search.<use case>.<aspect>}).
 */
public final class Checks {

	static final String PS_PAGE = "Recherche de créneaux PS (specifications_techniques-ps-recherche_creneaux)";
	static final String CPTS_PAGE = "Recherche de créneaux CPTS (specifications_techniques-cpts-recherche_creneaux)";
	static final String SOS_PAGE = "Recherche de créneaux SOS (specifications_techniques-sos-recherche_creneaux)";
	static final String FAQ_PS = "FAQ, Agrégateur PS à titre individuel - CPTS, principales erreurs";
	static final String FAQ_SOS = "FAQ, Agrégateur SOS Médecins, principales erreurs";

	public static final Check CAPABILITY = new Check("capability.statement",
			"GET [base]/metadata answers a CapabilityStatement, FHIR 4.0.1, JSON",
			"Caractéristiques de l'API (Version FHIR 4.0.1, Accept: application/json+fhir), each search page", true);
	public static final Check CAPABILITY_SEARCHES = new Check("capability.searches",
			"The CapabilityStatement declares the resources, searches and includes of the claimed use cases",
			"CapabilityStatement SAS-GestionnaireAgenda-PsIndiv / -CPTS / -SOS (package ans.fhir.fr.sas)", true);

	public static final Check PREFIXED_IDENTIFIERS = new Check("faq.prefixed-identifiers",
			"National identifiers (RPPS, ADELI, FINESS, SIRET) in the answers carry their prefix",
			FAQ_PS + " n°1; " + FAQ_SOS + " n°1", true);
	public static final Check PHONE_FORMAT = new Check("faq.phone-format",
			"Phone numbers in +33XXXXXXXXX form", FAQ_PS + " n°2; " + FAQ_SOS + " n°2", true);
	public static final Check SPECIALTY = new Check("faq.specialty",
			"Specialties coded in a coding (system and code), or given as text",
			FAQ_PS + " n°3", true);
	public static final Check SLOT_SECURITY = new Check("faq.slot-security",
			"Every slot's types coded in meta.security (TRE_R314: PUBLIC, PRO, SNP, CPTS; SOS: PUBLIC, SNP)",
			FAQ_PS + " n°4; " + FAQ_SOS + " n°3", true);
	public static final Check EMPTY_ELEMENTS = new Check("faq.empty-elements",
			"No empty element (\"\", [], {}) in the answers", FAQ_PS + " n°10; " + FAQ_SOS + " n°6", true);
	public static final Check DATE_OFFSET = new Check("faq.date-offset",
			"Dates with a time carry their offset (Z or +hh:mm)",
			"FHIR R4 dateTime/instant; search pages, Critères de recherche (dates with their offset)", true);
	public static final Check CPTS_SERVICE_TYPE = new Check("faq.cpts-service-type",
			"A CPTS slot has a serviceType TRE_R66 604 referencing the CPTS's HealthcareService",
			FAQ_PS + " n°6 and n°11; " + CPTS_PAGE + ", Nomenclatures", true);
	public static final Check SOS_REFERENCES = new Check("faq.sos-references",
			"SOS: each Schedule's actor is a Location of the answer, managed by the association's Organization",
			FAQ_SOS + " n°4; " + SOS_PAGE + ", Construction de la réponse de base", true);

	public static final Check TIME_KIT = new Check("time.under-1s",
			"Every search answered within 1 s (the ANS test kit's bar); p50/p95 over a series",
			"ANS test kit for publishers (answer time); annexes (quality of service)", false);
	public static final Check TIME_PLATFORM = new Check("time.under-7s",
			"Every search answered within 7 s (the platform's time-out)",
			"Annexes: \"temps de réponse inférieure à 7 secondes\"", true);

	public static final Check TRANSPORT_HTTPS = new Check("transport.https",
			"The endpoint is served over HTTPS", "Sécurité (securite): TLS between the platform and the publishers", true);
	public static final Check TRANSPORT_CERTIFICATE = new Check("transport.certificate",
			"The endpoint's server certificate is valid for 30 days at least", "Sécurité (securite): certificates", false);
	public static final Check TRANSPORT_MUTUAL_TLS = new Check("transport.mutual-tls",
			"A client without certificate is refused (mutual TLS)", "Sécurité (securite): authentication by IGC-Santé certificates", true);
	public static final Check TRANSPORT_MUTUAL_TLS_UNKNOWN = new Check("transport.mutual-tls-unknown",
			"A client with a certificate of no trusted authority (self-signed) is refused",
			"Sécurité (securite): authentication by IGC-Santé certificates; ANS test kit (transport)", true);
	public static final Check TRANSPORT_MUTUAL_TLS_EXPIRED = new Check("transport.mutual-tls-expired",
			"A client with an expired certificate of the trusted authority is refused",
			"Sécurité (securite): authentication by IGC-Santé certificates; ANS test kit (transport)", true);
	public static final Check TRANSPORT_MUTUAL_TLS_REVOKED = new Check("transport.mutual-tls-revoked",
			"A client with a revoked certificate of the trusted authority is refused (revocation checked)",
			"Sécurité (securite): authentication by IGC-Santé certificates; ANS test kit (transport)", true);
	public static final Check TRANSPORT_TLS_VERSION = new Check("transport.tls-version",
			"SSL 3.0, TLS 1.0 and TLS 1.1 each refused, TLS 1.2 or later only", "Sécurité (securite); ANS test kit (transport)", true);

	static final String REGULATOR_PAGE = "Gestion des comptes régulateurs (specifications_techniques-tous-gestion_regulateur)";
	static final String FAQ_REGULATOR = "FAQ, Gestion des comptes régulateurs";

	// INT_R02, the platform's writes to the publisher, in the FAQ's order (opt-in: they write test accounts). Each
	// source starts with the regulator page, the reports' grouping of failures by page.
	public static final Check ACCOUNTS_CREATE = new Check("accounts.create",
			"POST [base]/Practitioner of a regulator account: 201 Created with a Location naming the new Practitioner",
			REGULATOR_PAGE + ", Création de compte régulateur, Réponse de base -- Succès", true);
	public static final Check ACCOUNTS_DUPLICATE = new Check("accounts.duplicate",
			"The same creation sent again is refused (4xx with an OperationOutcome), not stored twice",
			REGULATOR_PAGE + ", Création de compte régulateur, Réponse de base -- Echec; ANS test kit (double creation of a"
					+ " regulator account)", true);
	public static final Check ACCOUNTS_UPDATE = new Check("accounts.update",
			"PUT [base]/Practitioner?identifier=<SAS technical id> giving the account its national identifier: 200",
			REGULATOR_PAGE + ", Mise à jour d'un compte régulateur; " + FAQ_REGULATOR
					+ ", modification de l'identifiant d'un compte (ExamplePractitionerRegul2)", true);
	public static final Check ACCOUNTS_CONDITIONAL_CREATE = new Check("accounts.conditional-create",
			"PUT [base]/Practitioner?identifier=<an identifier the publisher does not hold> creates the account (2xx)",
			REGULATOR_PAGE + ", Mise à jour d'un compte régulateur, Point d'attention (idempotent: as a creation)", true);
	public static final Check ACCOUNTS_DEACTIVATE = new Check("accounts.deactivate",
			"PUT [base]/Practitioner?identifier=<national id> with active false deactivates the account: 200",
			REGULATOR_PAGE + ", Suppression d'un compte régulateur; Règles de gestion (Habilitation); " + FAQ_REGULATOR
					+ ", désactivation d'un compte (ExamplePractitionerRegul3)", true);
	public static final Check ACCOUNTS_REATTRIBUTION = new Check("accounts.reattribution",
			"The national identifier of a deactivated account given to another account (named by its SAS technical id): 200",
			REGULATOR_PAGE + ", Règles de gestion (Identifiant national du régulateur); ANS test kit (re-attribution of an IDNPS)",
			true);

	/** What each search answer is checked for. */
	public enum Aspect {
		ANSWER("answer", "200 with a searchset Bundle in FHIR JSON", "Construction de la réponse de base, Réponse de base -- Succès"),
		BUNDLE_PROFILE("bundle-profile", "The Bundle valid against the Bundle profile of its shape", "Validateur ressources"),
		ENTRY_PROFILE("entry-profile", "Every entry valid against the profile of its shape", "Validateur ressources"),
		FREE_IN_WINDOW("window", "Only free slots, starting within the window asked, not ended", "Critères de recherche (status=free, start=ge/le)"),
		CPTS_WINDOW("cpts-window", "CPTS slots within 48 h", "Critères de recherche (48 h)"),
		CPTS_SERVICE("cpts-service", "CPTS slots with their CPTS's HealthcareService and Organization in the answer",
				"Construction de la réponse de base (Slot -> HealthcareService -> Organization)"),
		REFERENCES("references", "Every slot's schedule, and the schedule's actors, in the answer, for an identifier asked",
				"Construction de la réponse de base (_include, _include:iterate)"),
		SCHEDULE_PER_ROLE("schedule-per-role", "One Schedule per PractitionerRole", "Construction de la réponse de base"),
		TOTAL("total", "Bundle.total present and equal to the matches", "Réponse de base -- Succès (balise total)"),
		EMPTY("empty", "No match: a searchset Bundle with total 0", "Réponse de base -- Succès (total: 0); FAQ n°9 / SOS n°5"),
		MULTIPLE("multiple", "The slots of one practitioner (association) are the same asked alone or among 25 (10)",
				"Critères de recherche (1 to 25 practitioners); FAQ n°8 / SOS n°4"),
		RAW_BAR("raw-bar", "The search with its '|' raw on the request line, as the guide prints it, answered as with %7C",
				"Exemple de requête (identifier=système|valeur, the bar printed raw)");

		final String code;
		final String title;
		final String section;

		Aspect(String code, String title, String section) {
			this.code = code;
			this.title = title;
			this.section = section;
		}
	}

	private Checks() {}

	public static Check search(UseCase useCase, Aspect aspect) {
		String page = switch (useCase) {
			case INDIVIDUAL -> PS_PAGE;
			case CPTS -> CPTS_PAGE;
			case SOS -> SOS_PAGE;
		};
		return new Check("search." + useCase.code() + "." + aspect.code, aspect.title, page + ", " + aspect.section, true);
	}

	/** The aspects that apply to a use case. */
	public static List<Aspect> aspects(UseCase useCase) {
		List<Aspect> aspects = new ArrayList<>(List.of(Aspect.ANSWER, Aspect.BUNDLE_PROFILE, Aspect.ENTRY_PROFILE,
				Aspect.FREE_IN_WINDOW));
		if (useCase == UseCase.CPTS) {
			aspects.add(Aspect.CPTS_WINDOW);
			aspects.add(Aspect.CPTS_SERVICE);
		}
		aspects.add(Aspect.REFERENCES);
		if (useCase != UseCase.SOS) {
			aspects.add(Aspect.SCHEDULE_PER_ROLE);
		}
		aspects.addAll(List.of(Aspect.TOTAL, Aspect.EMPTY, Aspect.MULTIPLE, Aspect.RAW_BAR));
		return aspects;
	}

	/** INT_R02's sequence, in its order. */
	public static List<Check> accounts() {
		return List.of(ACCOUNTS_CREATE, ACCOUNTS_DUPLICATE, ACCOUNTS_UPDATE, ACCOUNTS_CONDITIONAL_CREATE, ACCOUNTS_DEACTIVATE,
				ACCOUNTS_REATTRIBUTION);
	}

	/** The FAQ's recurring errors, each a check. */
	public static List<Check> faq() {
		return List.of(PREFIXED_IDENTIFIERS, PHONE_FORMAT, SPECIALTY, SLOT_SECURITY, EMPTY_ELEMENTS, DATE_OFFSET,
				CPTS_SERVICE_TYPE, SOS_REFERENCES);
	}
}
