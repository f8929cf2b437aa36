package fr.sas.fhir.transmission;

/** The département of a French postal code: its first two digits, three overseas, 2A/2B for Corsica. */
final class Departements {

	private Departements() {}

	/** Null when {@code postalCode} is not five digits. */
	static String ofPostalCode(String postalCode) {
		if (postalCode == null || !postalCode.trim().matches("\\d{5}")) {
			return null;
		}
		String code = postalCode.trim();
		if (code.startsWith("97") || code.startsWith("98")) {
			return code.substring(0, 3);
		}
		if (code.startsWith("20")) {
			// 200xx and 201xx are Corse-du-Sud (Ajaccio 20000, Porto-Vecchio 20137), the rest Haute-Corse (Bastia 20200)
			return code.charAt(2) <= '1' ? "2A" : "2B";
		}
		return code.substring(0, 2);
	}
}
