package fr.sas.fhir.publishers;

import java.util.List;
import java.util.Map;

/**
 * What an answer of a publisher held once checked (status and content type, a {@code searchset} Bundle, each
 * entry against the profile of its shape, the search's window and filters).
 *
 * @param call the call whose answer it is
 * @param invalid why the whole answer was refused (not a Bundle, wrong type, not JSON...), null when it was used
 * @param kept entries kept
 * @param dropped entries dropped, by the rule they broke
 * @param samples a few of the problems, each with the entry it is about, for people
 * @param slots free slots kept (0: an empty answer)
 */
public record CheckedAnswer(PublisherCall call, String invalid, int kept, Map<String, Integer> dropped,
		List<String> samples, int slots) {

	public boolean usable() {
		return invalid == null;
	}

	public int droppedCount() {
		return dropped.values().stream().mapToInt(Integer::intValue).sum();
	}
}
