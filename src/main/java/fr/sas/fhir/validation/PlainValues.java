package fr.sas.fhir.validation;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Values the validator cannot say anything about beyond "well formed", and their shape: for instants and
 * dates the value with every digit replaced by {@code 0}, which keeps what its checks do look at (precision,
 * fraction digits, offset or {@code Z}); for a literal reference {@code Type/id}, its type. Anything unusual (a date outside 2000–2099, a leap second, an impossible day, text with markup
 * characters, edge whitespace or more than 1,000 characters) is not plain: it is never masked, so the full
 * validator always sees it.
 */
final class PlainValues {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
	private static final Pattern REFERENCE = Pattern.compile("([A-Z][A-Za-z]{1,63})/[A-Za-z0-9\\-.]{1,64}");
	private static final Pattern INSTANT = Pattern.compile(
			"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
					+ "(\\.[0-9]{1,9})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])");
	private static final Pattern YEAR = Pattern.compile("20[0-9]{2}");
	private static final Pattern YEAR_MONTH = Pattern.compile("20[0-9]{2}-(0[1-9]|1[0-2])");
	private static final Pattern DATE = Pattern.compile("20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])");
	/** Text beginning with a letter or a digit, or with the {@code +} of an international phone number. */
	private static final Pattern TEXT = Pattern.compile("\\+?[\\p{L}\\p{N}][\\p{L}\\p{N} \\-_.,:;/'’()@+#%=?!*\"\\[\\]]{0,998}");
	private static final int MAX_TEXT = 1000;
	private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,6}(\\.[0-9]{1,20})?");

	private PlainValues() {}

	/** The value's shape when it is plain for that form, else null. */
	static String shape(MaskableElements.Form form, String value) {
		boolean plain = switch (form) {
			case ID -> ID.matcher(value).matches();
			case REFERENCE -> REFERENCE.matcher(value).matches();
			case INSTANT -> isInstant(value);
			case DATE_TIME -> isInstant(value) || isPartialDate(value);
			case DECIMAL -> DECIMAL.matcher(value).matches();
			case STRING -> value.length() <= MAX_TEXT
					&& TEXT.matcher(value).matches()
					&& !Character.isWhitespace(value.charAt(value.length() - 1));
		};
		if (!plain) {
			return null;
		}
		return switch (form) {
			case STRING, ID, DECIMAL -> form.name();
			case REFERENCE -> value.substring(0, value.indexOf('/')) + "/" + MaskableElements.Form.ID;
			case INSTANT, DATE_TIME -> value.replaceAll("[0-9]", "0");
		};
	}

	private static boolean isInstant(String value) {
		if (!INSTANT.matcher(value).matches()) {
			return false;
		}
		try {
			OffsetDateTime.parse(value);
			return true;
		} catch (DateTimeParseException e) {
			return false;
		}
	}

	private static boolean isPartialDate(String value) {
		try {
			if (YEAR.matcher(value).matches()) {
				return true;
			}
			if (YEAR_MONTH.matcher(value).matches()) {
				YearMonth.parse(value);
				return true;
			}
			if (DATE.matcher(value).matches()) {
				LocalDate.parse(value);
				return true;
			}
			return false;
		} catch (DateTimeParseException e) {
			return false;
		}
	}
}
