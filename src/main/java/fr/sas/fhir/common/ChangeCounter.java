package fr.sas.fhir.common;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * How many committed writes changed one thing a node may keep in memory (table {@code SAS_CHANGE_COUNTER}, one
 * row per thing: a schedule's free slots, the conformance content). See {@link ChangeCounters}.
 */
@Entity
@Table(name = "SAS_CHANGE_COUNTER")
public class ChangeCounter {

	@Id
	@Column(name = "NAME", length = 250)
	private String name;

	@Column(name = "VERSION", nullable = false)
	private long version;

	protected ChangeCounter() {}

	public String getName() {
		return name;
	}

	public long getVersion() {
		return version;
	}
}
