package fr.sas.fhir.acceptance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.sas.fhir.publishers.UseCase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The publisher's test data, as it gives it to the ANS for the connected acceptance: the national identifiers of its
 * test practitioners (RPPS, prefixed: {@code 8} + 11 digits), of its SOS Médecins associations (SIRET, {@code 3} + 14
 * digits) and of the CPTS its practitioners open slots to (FINESS, {@code 1} + 9 digits), and the use cases it
 * claims ({@code individual}, {@code cpts}, {@code sos}). Read from JSON:
 * {@code {"practitioners": ["810000000001"], "associations": [], "cpts": [], "useCases": ["individual"]}}.
 *
 * @param regulatorAccounts whether the publisher takes regulator accounts (INT_R02) and lets the acceptance write test
 *        accounts into its system ({@code "regulatorAccounts": true}); off unless given, as those checks write
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TestData(List<String> practitioners, List<String> associations, List<String> cpts, List<String> useCases,
		boolean regulatorAccounts) {

	@com.fasterxml.jackson.annotation.JsonCreator
	public TestData {
		practitioners = practitioners == null ? List.of() : List.copyOf(practitioners);
		associations = associations == null ? List.of() : List.copyOf(associations);
		cpts = cpts == null ? List.of() : List.copyOf(cpts);
		useCases = useCases == null ? List.of() : List.copyOf(useCases);
	}

	/** Test data for the searches only (no regulator accounts). */
	public TestData(List<String> practitioners, List<String> associations, List<String> cpts, List<String> useCases) {
		this(practitioners, associations, cpts, useCases, false);
	}

	public static TestData read(Path file) throws IOException {
		return new ObjectMapper().readValue(file.toFile(), TestData.class);
	}

	public static TestData parse(String json) throws IOException {
		return new ObjectMapper().readValue(json, TestData.class);
	}

	/** The claimed use cases; an unknown code is refused. */
	public Set<UseCase> claimed() {
		Set<UseCase> claimed = EnumSet.noneOf(UseCase.class);
		for (String code : useCases) {
			claimed.add(UseCase.ofCode(code).orElseThrow(() -> new IllegalArgumentException(
					"unknown use case '" + code + "' (individual, cpts, sos)")));
		}
		return claimed;
	}

	/** What is missing for the claimed use cases, for people ("the individual use case needs practitioners"). */
	public List<String> problems() {
		List<String> problems = new ArrayList<>();
		try {
			Set<UseCase> claimed = claimed();
			if (claimed.isEmpty()) {
				problems.add("no use case claimed (useCases: individual, cpts, sos)");
			}
			if ((claimed.contains(UseCase.INDIVIDUAL) || claimed.contains(UseCase.CPTS)) && practitioners.isEmpty()) {
				problems.add("the individual and CPTS use cases need test practitioners (practitioners: RPPS)");
			}
			if (claimed.contains(UseCase.SOS) && associations.isEmpty()) {
				problems.add("the SOS use case needs test associations (associations: SIRET)");
			}
		} catch (IllegalArgumentException e) {
			problems.add(e.getMessage());
		}
		return problems;
	}
}
