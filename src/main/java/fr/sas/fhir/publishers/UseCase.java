package fr.sas.fhir.publishers;

import java.util.Arrays;
import java.util.Optional;

/**
 * The guide's three slot searches a publisher's endpoint may serve, by the Consommateur CapabilityStatement that
 * sends them; the codes of {@code terminology/CodeSystem-sas-publisher-use-case.json}.
 */
public enum UseCase {
	/** Individual practitioners (INT_R01, SAS-Consommateur-psindiv). */
	INDIVIDUAL("individual"),
	/** CPTS slots (INT_R04, SAS-Consommateur-CPTS): the individual search with the service includes, within 48 h. */
	CPTS("cpts"),
	/** SOS Médecins (SAS-Consommateur-SOS). */
	SOS("sos");

	public static final String SYSTEM = "https://sas-fhir-server.example/fhir/CodeSystem/sas-publisher-use-case";

	private final String code;

	UseCase(String code) {
		this.code = code;
	}

	public String code() {
		return code;
	}

	public static Optional<UseCase> ofCode(String code) {
		return Arrays.stream(values()).filter(u -> u.code.equals(code)).findFirst();
	}
}
