package fr.sas.fhir.acceptance;

/** Short texts for reports. */
final class Text {

	static final int CLIP = 4000;

	private Text() {}

	static String firstLine(String text) {
		if (text == null) {
			return "";
		}
		int newline = text.indexOf('\n');
		String line = newline < 0 ? text : text.substring(0, newline);
		return line.length() > 300 ? line.substring(0, 300) + "..." : line;
	}

	static String clip(String text) {
		return text == null || text.length() <= CLIP ? text : text.substring(0, CLIP) + "\n... (" + text.length() + " characters)";
	}
}
