package fr.sas.fhir.rules;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.OptionalLong;
import org.hibernate.Session;
import org.springframework.stereotype.Component;

/**
 * Locks a slot's row in HAPI's resource table for the rest of the current transaction, on every node: two bookings
 * of one slot through two nodes (which {@link RequestLocks} cannot see) then follow each other, and the second
 * finds the slot booked. Without it, both read the slot free and both wrote its next version: the second failed on
 * HAPI's unique index of versions, at a flush in the middle of its transaction, as a 500. Plain JDBC on the
 * transaction's connection, so that nothing pending is flushed by the query.
 */
@Component
class SlotRowLock {

	@PersistenceContext
	private EntityManager entityManager;

	/** The slot's current version once its row is locked; empty when no such slot is stored. */
	OptionalLong lock(String slotId) {
		return entityManager.unwrap(Session.class).doReturningWork(connection -> {
			try (PreparedStatement select = connection.prepareStatement(
					"SELECT RES_VER FROM HFJ_RESOURCE WHERE RES_TYPE = 'Slot' AND FHIR_ID = ? FOR UPDATE")) {
				select.setString(1, slotId);
				try (ResultSet row = select.executeQuery()) {
					return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
				}
			}
		});
	}
}
