package fr.sas.fhir.contextual;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.search.mapper.pojo.bridge.builtin.annotation.GeoPointBinding;
import org.hibernate.search.mapper.pojo.bridge.builtin.annotation.Latitude;
import org.hibernate.search.mapper.pojo.bridge.builtin.annotation.Longitude;
import org.hibernate.search.mapper.pojo.mapping.definition.annotation.GenericField;
import org.hibernate.search.mapper.pojo.mapping.definition.annotation.Indexed;
import org.hibernate.search.engine.backend.types.Projectable;
import org.hibernate.search.engine.backend.types.Sortable;
import org.hibernate.search.mapper.pojo.mapping.definition.annotation.KeywordField;

/**
 * What a regulator chooses between: a practitioner at one place (a PractitionerRole), a CPTS (its
 * HealthcareService) or an SOS Médecins consultation place (its Location). One row per card, in HAPI's database,
 * kept up to date on every write of what it is made of ({@link CardMaintenance}); indexed by Hibernate Search
 * (the server's Lucene directory, or Elasticsearch with the scale-out configuration) with its position, kind,
 * specialties and the national identifiers of its practitioner. The mapping uses only backend-neutral fields.
 */
@Entity
@Table(name = "SAS_CONTEXTUAL_CARD", indexes = {
	@Index(name = "IDX_SAS_CARD_PRACTITIONER", columnList = "PRACTITIONER"),
	@Index(name = "IDX_SAS_CARD_ORGANIZATION", columnList = "ORGANIZATION"),
	@Index(name = "IDX_SAS_CARD_PLACE", columnList = "PLACE"),
	@Index(name = "IDX_SAS_CARD_POSITION", columnList = "LATITUDE,LONGITUDE")
})
@Indexed(index = "sas_contextual_card")
// Sortable: the distance to a search's centre is read from doc values, not from each hit's stored fields.
@GeoPointBinding(fieldName = "position", projectable = Projectable.YES, sortable = Sortable.YES)
public class ContextualCard {

	public enum Kind {
		INDIVIDUAL,
		CPTS,
		SOS
	}

	/** The card's resource: "PractitionerRole/x", "HealthcareService/y" or "Location/z". */
	@Id
	@Column(name = "CARD_ID", length = 200)
	private String id;

	@KeywordField(projectable = Projectable.YES)
	@Column(name = "KIND", length = 16, nullable = false)
	private String kind;

	@Latitude
	@Column(name = "LATITUDE")
	private Double latitude;

	@Longitude
	@Column(name = "LONGITUDE")
	private Double longitude;

	@KeywordField
	@Column(name = "DEPARTEMENT", length = 3)
	private String departement;

	@Column(name = "COMMUNE", length = 5)
	private String commune;

	/** The practitioner of an individual card ("Practitioner/x"). */
	@Column(name = "PRACTITIONER", length = 200)
	private String practitioner;

	/** The organization a CPTS card's service is provided by, or an SOS place is managed by. */
	@Column(name = "ORGANIZATION", length = 200)
	private String organization;

	/** The Location the card's position comes from, when it is a stored one. */
	@Column(name = "PLACE", length = 200)
	private String place;

	/** TRE_R38 codes (and other specialty codes) of the card. */
	@KeywordField
	@ElementCollection(fetch = FetchType.EAGER)
	@CollectionTable(name = "SAS_CONTEXTUAL_CARD_SPE", joinColumns = @JoinColumn(name = "CARD_ID"))
	@Column(name = "SPECIALTY", length = 64)
	private Set<String> specialties = new HashSet<>();

	/** The practitioner's identifiers, "system|value" (RPPS, ADELI): finds the treating doctor's cards. */
	@KeywordField
	@ElementCollection(fetch = FetchType.EAGER)
	@CollectionTable(name = "SAS_CONTEXTUAL_CARD_NID", joinColumns = @JoinColumn(name = "CARD_ID"))
	@Column(name = "NATIONAL_ID", length = 200)
	private Set<String> nationalIds = new HashSet<>();

	/** Specialty labels and texts, for a free-text specialty. */
	@Column(name = "SPECIALTY_TEXT", length = 2000)
	private String specialtyText;

	@GenericField
	@Column(name = "PLACED", nullable = false)
	private boolean placed;

	protected ContextualCard() {}

	ContextualCard(String id, Kind kind) {
		this.id = id;
		this.kind = kind.name();
	}

	public String getId() {
		return id;
	}

	public Kind getKind() {
		return Kind.valueOf(kind);
	}

	public GeoPoint getPosition() {
		return latitude == null || longitude == null ? null : new GeoPoint(latitude, longitude);
	}

	void setPosition(GeoPoint position) {
		this.latitude = position == null ? null : position.latitude();
		this.longitude = position == null ? null : position.longitude();
		this.placed = position != null;
	}

	public String getDepartement() {
		return departement;
	}

	public String getCommune() {
		return commune;
	}

	void setCommune(Commune commune) {
		this.commune = commune == null ? null : commune.insee();
		this.departement = commune == null ? null : commune.departement();
	}

	void setDepartement(String departement) {
		this.departement = departement;
	}

	public String getPractitioner() {
		return practitioner;
	}

	void setPractitioner(String practitioner) {
		this.practitioner = practitioner;
	}

	public String getOrganization() {
		return organization;
	}

	void setOrganization(String organization) {
		this.organization = organization;
	}

	public String getPlace() {
		return place;
	}

	void setPlace(String place) {
		this.place = place;
	}

	public Set<String> getSpecialties() {
		return specialties;
	}

	public Set<String> getNationalIds() {
		return nationalIds;
	}

	public String getSpecialtyText() {
		return specialtyText == null ? "" : specialtyText;
	}

	void setSpecialtyText(String specialtyText) {
		this.specialtyText = specialtyText == null || specialtyText.length() <= 2000 ? specialtyText
				: specialtyText.substring(0, 2000);
	}

	/** Copies what another build of the same card says (an update keeps the managed entity). */
	void copyFrom(ContextualCard other) {
		this.kind = other.kind;
		this.latitude = other.latitude;
		this.longitude = other.longitude;
		this.placed = other.placed;
		this.departement = other.departement;
		this.commune = other.commune;
		this.practitioner = other.practitioner;
		this.organization = other.organization;
		this.place = other.place;
		this.specialties.clear();
		this.specialties.addAll(other.specialties);
		this.nationalIds.clear();
		this.nationalIds.addAll(other.nationalIds);
		this.specialtyText = other.specialtyText;
	}

	/** Whether the stored card already says what this build says (no write needed). */
	boolean sameAs(ContextualCard other) {
		return java.util.Objects.equals(kind, other.kind) && java.util.Objects.equals(latitude, other.latitude)
				&& java.util.Objects.equals(longitude, other.longitude) && java.util.Objects.equals(departement, other.departement)
				&& java.util.Objects.equals(commune, other.commune) && java.util.Objects.equals(practitioner, other.practitioner)
				&& java.util.Objects.equals(organization, other.organization) && java.util.Objects.equals(place, other.place)
				&& specialties.equals(other.specialties) && nationalIds.equals(other.nationalIds)
				&& java.util.Objects.equals(specialtyText, other.specialtyText);
	}
}
