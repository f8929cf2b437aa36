package fr.sas.fhir.common;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The national identifiers of the guide and their type prefixes (FAQ, "Gestion des préfixes des ID nationaux
 * de PS et de Structure"). Practitioners (IDNPS): RPPS = 8 + 11 digits, ADELI = 0 + 9 digits, and the staff of
 * an establishment 3 + FINESS + "/" + internal id (the guide's regulator examples). Structures (IDNST): FINESS =
 * 1 + 9 digits, SIRET = 3 + 14 digits, RPPS-rang = 4 + digits, ADELI-rang = 0 + digits.
 */
public final class NationalIdentifiers {

	public static final String IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1";
	public static final String IDNST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2";

	private static final Pattern IDNPS = Pattern.compile("^(8\\d{11}|0\\d{9}|3\\d{9}/\\S+)$");
	private static final Pattern IDNST = Pattern.compile("^(1\\d{9}|3\\d{14}|4\\d+|0\\d+)$");
	private static final Pattern RPPS_UNPREFIXED = Pattern.compile("^\\d{11}$");
	private static final Pattern ADELI_UNPREFIXED = Pattern.compile("^\\d{9}$");
	private static final Pattern SIRET_UNPREFIXED = Pattern.compile("^\\d{14}$");

	private NationalIdentifiers() {}

	public static boolean isNational(String system) {
		return IDNPS_SYSTEM.equals(system) || IDNST_SYSTEM.equals(system);
	}

	/** Whether the value has one of the prefixed forms of its system (true for other systems). */
	public static boolean isWellFormed(String system, String value) {
		if (value == null) {
			return true;
		}
		if (IDNPS_SYSTEM.equals(system)) {
			return IDNPS.matcher(value).matches();
		}
		if (IDNST_SYSTEM.equals(system)) {
			return IDNST.matcher(value).matches();
		}
		return true;
	}

	/** The prefixed form of an unprefixed national identifier, when its length tells which one it is. */
	public static Optional<String> prefixed(String system, String value) {
		if (value == null || isWellFormed(system, value)) {
			return Optional.empty();
		}
		if (IDNPS_SYSTEM.equals(system)) {
			if (RPPS_UNPREFIXED.matcher(value).matches()) {
				return Optional.of("8" + value);
			}
			if (ADELI_UNPREFIXED.matcher(value).matches()) {
				return Optional.of("0" + value);
			}
		}
		if (IDNST_SYSTEM.equals(system)) {
			if (ADELI_UNPREFIXED.matcher(value).matches()) {
				return Optional.of("1" + value); // 9 digits: a FINESS
			}
			if (SIRET_UNPREFIXED.matcher(value).matches()) {
				return Optional.of("3" + value);
			}
		}
		return Optional.empty();
	}

	/** What an identifier should look like, for refusal messages. */
	public static String expectedForms(String system) {
		return IDNPS_SYSTEM.equals(system)
				? "RPPS 8 + 11 digits, ADELI 0 + 9 digits, or 3 + FINESS + '/' + internal id"
				: "FINESS 1 + 9 digits, SIRET 3 + 14 digits, RPPS-rang 4 + digits or ADELI-rang 0 + digits";
	}
}
