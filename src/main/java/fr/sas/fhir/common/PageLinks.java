package fr.sas.fhir.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Paging links of the guide's searches (the dedicated path, the aggregator): the same search again with {@code _offset} and {@code _count}, FHIR's
 * stateless paging (HAPI's generic search understands the same link). Nothing is kept between pages: each page
 * shows the availability of the moment it is asked for.
 */
public final class PageLinks {

	private PageLinks() {}

	public static String withOffset(String self, int offset, int count) {
		int query = self.indexOf('?');
		List<String> kept = new ArrayList<>();
		if (query >= 0) {
			for (String parameter : self.substring(query + 1).split("&")) {
				if (!parameter.isEmpty() && !parameter.startsWith("_offset=") && !parameter.startsWith("_count=")) {
					kept.add(parameter);
				}
			}
		}
		kept.add("_offset=" + offset);
		kept.add("_count=" + count);
		return (query >= 0 ? self.substring(0, query) : self) + "?" + String.join("&", kept);
	}
}
