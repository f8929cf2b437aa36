package fr.sas.fhir.contextual;

import java.util.Map;

/** The commune directory read from the tables the server ships, once per test JVM. */
final class ReferenceTables {

	static final CommuneDirectory COMMUNES = load(Map.of());

	private ReferenceTables() {}

	static CommuneDirectory load(Map<String, Double> radiusOverrides) {
		ClassLoader loader = ReferenceTables.class.getClassLoader();
		return new CommuneDirectory(loader.getResourceAsStream("reference/communes.tsv"),
				loader.getResourceAsStream("reference/departements.tsv"), radiusOverrides);
	}
}
