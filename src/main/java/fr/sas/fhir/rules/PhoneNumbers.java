package fr.sas.fhir.rules;

import java.util.Optional;
import java.util.regex.Pattern;

/** Phone numbers in {@code telecom} are exchanged as {@code +33XXXXXXXXX} (FAQ, "Format du numéro de téléphone"). */
public final class PhoneNumbers {

	private static final Pattern EXPECTED = Pattern.compile("^\\+33\\d{9}$");
	private static final Pattern SEPARATORS = Pattern.compile("[\\s.\\-()/]");

	private PhoneNumbers() {}

	public static boolean isWellFormed(String value) {
		return value != null && EXPECTED.matcher(value).matches();
	}

	/** The {@code +33} form of a French number written another way (0X XX XX XX XX, 0033..., +33 (0)...). */
	public static Optional<String> corrected(String value) {
		if (value == null) {
			return Optional.empty();
		}
		String digits = SEPARATORS.matcher(value).replaceAll("");
		if (digits.startsWith("0033")) {
			digits = "+33" + digits.substring(4);
		}
		if (digits.startsWith("+330") && digits.length() == 13) {
			digits = "+33" + digits.substring(4);
		}
		if (digits.matches("^0\\d{9}$")) {
			digits = "+33" + digits.substring(1);
		}
		return isWellFormed(digits) && !digits.equals(value) ? Optional.of(digits) : Optional.empty();
	}
}
