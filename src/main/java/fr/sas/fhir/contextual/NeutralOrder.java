package fr.sas.fhir.contextual;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The programme's neutrality of the care offer: cards of an area are drawn in an order seeded by the search itself
 * (its place, specialty, filters and day), so the same search pages stably and gives the same order all day,
 * while over many searches no publisher, structure or practitioner is ahead of another. The draw is a SHA-256 of
 * the seed and the card's id: uniform, and unrelated to ids, publishers or the order of writes.
 */
final class NeutralOrder {

	private final byte[] seed;

	NeutralOrder(String seed) {
		this.seed = seed.getBytes(StandardCharsets.UTF_8);
	}

	/** The card's place in the draw (compare as unsigned). */
	long draw(String cardId) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(seed);
			sha.update((byte) 0);
			sha.update(cardId.getBytes(StandardCharsets.UTF_8));
			return ByteBuffer.wrap(sha.digest()).getLong();
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
