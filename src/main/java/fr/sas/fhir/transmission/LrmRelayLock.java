package fr.sas.fhir.transmission;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One row, locked by the relay for each round: of several nodes, one publishes at a time, in order. */
@Entity
@Table(name = "SAS_LRM_RELAY")
public class LrmRelayLock {

	static final long ID = 1;

	@Id
	@Column(name = "ID")
	private Long id;

	protected LrmRelayLock() {}

	LrmRelayLock(long id) {
		this.id = id;
	}
}
