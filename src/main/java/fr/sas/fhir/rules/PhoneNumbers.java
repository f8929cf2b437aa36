package fr.sas.fhir.rules;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Phone numbers in {@code telecom} are exchanged in international form (FAQ, "Format du numéro de téléphone":
 * {@code +33XXXXXXXXX}). The FAQ's rule names metropolitan numbers; the overseas departments and Saint-Pierre-et-
 * Miquelon have country codes of their own, so their numbers are accepted in their E.164 form: La Réunion and
 * Mayotte {@code +262} (Mayotte's former {@code +269} too), Guadeloupe (with Saint-Martin and Saint-Barthélemy)
 * {@code +590}, Guyane {@code +594}, Martinique {@code +596}, each followed by the 9 digits of the national
 * number; Saint-Pierre-et-Miquelon {@code +508} followed by 6 digits. A national number of those territories
 * (0590..., 0692...) is corrected to its territory's code, not to {@code +33}.
 */
public final class PhoneNumbers {

	private static final Pattern EXPECTED = Pattern.compile("^(\\+33\\d{9}|\\+(262|269|590|594|596)\\d{9}|\\+508\\d{6})$");
	private static final Pattern SEPARATORS = Pattern.compile("[\\s.\\-()/]");
	/** Overseas national prefixes (ARCEP numbering plan) and the country code of their territory. */
	private static final Map<String, String> OVERSEAS = Map.ofEntries(
			Map.entry("262", "+262"), Map.entry("263", "+262"), Map.entry("692", "+262"), Map.entry("693", "+262"),
			Map.entry("269", "+262"), Map.entry("639", "+262"),
			Map.entry("590", "+590"), Map.entry("690", "+590"), Map.entry("691", "+590"),
			Map.entry("594", "+594"), Map.entry("694", "+594"),
			Map.entry("596", "+596"), Map.entry("696", "+596"), Map.entry("697", "+596"));
	private static final Pattern SPM_LOCAL = Pattern.compile("^(41|55)\\d{4}$");

	private PhoneNumbers() {}

	public static boolean isWellFormed(String value) {
		return value != null && EXPECTED.matcher(value).matches();
	}

	/** What the rule expects, for refusal messages. */
	public static String expectedForms() {
		return "+33XXXXXXXXX, or +262/+590/+594/+596 and 9 digits, +508 and 6 digits overseas";
	}

	/** The international form of a French number written another way (0X XX XX XX XX, 0033..., +33 (0)...). */
	public static Optional<String> corrected(String value) {
		if (value == null) {
			return Optional.empty();
		}
		String digits = SEPARATORS.matcher(value).replaceAll("");
		if (digits.startsWith("00")) {
			digits = "+" + digits.substring(2);
		}
		if (digits.matches("^\\+(33|262|269|590|594|596)0\\d{9}$")) {
			digits = digits.replaceFirst("0(\\d{9})$", "$1"); // the trunk 0 kept after the country code
		}
		if (digits.matches("^0\\d{9}$")) {
			String territory = OVERSEAS.get(digits.substring(1, 4));
			digits = (territory != null ? territory : "+33") + digits.substring(1);
		} else if (SPM_LOCAL.matcher(digits).matches()) {
			digits = "+508" + digits;
		}
		return isWellFormed(digits) && !digits.equals(value) ? Optional.of(digits) : Optional.empty();
	}
}
