package fr.sas.fhir.aggregator;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A learnt route (table {@code SAS_PUBLISHER_ROUTE}): the endpoint returned slots for that practitioner or
 * association, in that use case, last at {@code SEEN_AT}. An empty {@code ENDPOINT_ID} records that every endpoint
 * was asked and none returned any ({@link LearnedRoutes}). Shared by the nodes.
 */
@Entity
@Table(name = "SAS_PUBLISHER_ROUTE", indexes = @Index(name = "IDX_SAS_ROUTE_IDENTIFIER", columnList = "IDENTIFIER"))
@IdClass(PublisherRoute.Key.class)
public class PublisherRoute {

	@Id
	@Column(name = "USE_CASE", length = 20)
	private String useCase;

	@Id
	@Column(name = "IDENTIFIER", length = 200)
	private String identifier;

	@Id
	@Column(name = "ENDPOINT_ID", length = 100)
	private String endpointId;

	@Column(name = "SEEN_AT", nullable = false)
	private Instant seenAt;

	protected PublisherRoute() {}

	public static class Key implements Serializable {
		private String useCase;
		private String identifier;
		private String endpointId;

		public Key() {}

		@Override
		public boolean equals(Object o) {
			return o instanceof Key k && Objects.equals(useCase, k.useCase) && Objects.equals(identifier, k.identifier)
					&& Objects.equals(endpointId, k.endpointId);
		}

		@Override
		public int hashCode() {
			return Objects.hash(useCase, identifier, endpointId);
		}
	}
}
