package fr.sas.fhir.transmission;

/** Where a message to an LRM stands. */
public enum LrmMessageState {
	/** Recorded with its appointment change, not yet confirmed by the broker. */
	PENDING,
	/** Confirmed by the broker (the Hub's technical acknowledgement). */
	SENT,
	/** Final acknowledgement of the LRM (RC-REF). */
	ACKNOWLEDGED,
	/** Refused: by the Hub or the LRM (RS-ERROR, with its code), or it could not be built or routed (never sent). */
	ERROR,
	/** Its {@code dateTimeExpires} passed before it could be sent: not sent. */
	EXPIRED
}
