package fr.sas.fhir.common;

import java.time.Duration;

/**
 * A node's in-memory copy of stored data (the slot searches' encoded resources and free-slot lists, say), filled
 * before the node reports ready: after a restart every search would otherwise read and encode its resources for
 * the first time (docs/operations.md). The warm-up calls each one before sending its own requests.
 */
public interface CacheWarmer {

	/** Fills the cache from the store, within the budget; returns a line for the log saying what was read. */
	String warm(Duration budget);
}
