package fr.sas.fhir.contextual;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The programme's neutrality of the care offer: cards of an area are drawn in an order seeded by the search itself
 * (its place, specialty, filters and day), so the same search pages stably and gives the same order all day,
 * while over many searches no publisher, structure or practitioner is ahead of another. The draw is SipHash-2-4
 * (a keyed pseudo-random function) of the card's id, keyed by a SHA-256 of the seed: uniform, and unrelated to
 * ids, publishers or the order of writes; one SHA-256 per search, then some 50 ns a card.
 */
final class NeutralOrder {

	private final HashFunction function;

	NeutralOrder(String seed) {
		try {
			ByteBuffer key = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
			this.function = Hashing.sipHash24(key.getLong(), key.getLong());
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The card's place in the draw (compare as unsigned). */
	long draw(String cardId) {
		return function.hashString(cardId, StandardCharsets.UTF_8).asLong();
	}
}
