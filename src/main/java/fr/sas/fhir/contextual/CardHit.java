package fr.sas.fhir.contextual;

/**
 * A card as the index gives it, without loading it: its id ("Type/id", which says its kind) and its distance in
 * km from the search's centre ({@code NaN} when the card has no position).
 */
record CardHit(String id, ContextualCard.Kind kind, double distanceKm) {

	static CardHit of(String id, double distanceKm) {
		return new CardHit(id, kindOf(id), distanceKm);
	}

	/** A card's kind from its resource type: a role is a practitioner's card, a service a CPTS, a place an SOS's. */
	static ContextualCard.Kind kindOf(String id) {
		if (id.startsWith("HealthcareService/")) {
			return ContextualCard.Kind.CPTS;
		}
		return id.startsWith("Location/") ? ContextualCard.Kind.SOS : ContextualCard.Kind.INDIVIDUAL;
	}
}
