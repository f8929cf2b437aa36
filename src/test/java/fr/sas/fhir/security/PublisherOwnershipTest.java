package fr.sas.fhir.security;

import static fr.sas.fhir.support.Outcomes.hasError;
import static fr.sas.fhir.support.SasTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.FhirHttp.Response;
import fr.sas.fhir.support.H2ServerTest;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;

/**
 * Several publishers expose the same practitioner (same RPPS): each publisher's writes, conditional ones
 * included, only ever land on its own resources; requests naming no publisher (the SAS platform) are not scoped.
 */
class PublisherOwnershipTest extends H2ServerTest {

	private final String rpps = "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "00000000000").substring(0, 11);

	private FhirHttp publisher(String code) {
		return fhir().with(PUBLISHER_HEADER, code);
	}

	private Response upsert(FhirHttp client, String family) {
		Practitioner card = practitioner("sender-id", rpps);
		card.getNameFirstRep().setFamily(family);
		return client.put("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps, card);
	}

	private static String owner(Response response) {
		return response.resource().getMeta().getTag().stream()
				.filter(t -> PublisherOwnershipInterceptor.OWNER_SYSTEM.equals(t.getSystem()))
				.map(Coding::getCode).findFirst().orElse(null);
	}

	@Test
	void aConditionalUpdateOnlyMatchesThePublishersOwnCard() {
		Response a = upsert(publisher("editeur-a"), "Martin");
		assertThat(a.status()).as(a.toString()).isEqualTo(201);
		assertThat(owner(a)).isEqualTo("editeur-a");

		// Another publisher exposing the same practitioner gets its own card, A's is untouched.
		Response b = upsert(publisher("editeur-b"), "Martin-B");
		assertThat(b.status()).as(b.toString()).isEqualTo(201);
		assertThat(b.resource().getIdElement().getIdPart()).isNotEqualTo(a.resource().getIdElement().getIdPart());
		assertThat(owner(b)).isEqualTo("editeur-b");

		// A's next upsert updates A's card in place.
		Response again = upsert(publisher("editeur-a"), "Martin-Dupont");
		assertThat(again.status()).as(again.toString()).isEqualTo(200);
		assertThat(again.resource().getIdElement().getIdPart()).isEqualTo(a.resource().getIdElement().getIdPart());
		Practitioner bStored = (Practitioner) fhir().get("/Practitioner/" + b.resource().getIdElement().getIdPart()).resource();
		assertThat(bStored.getNameFirstRep().getFamily()).isEqualTo("Martin-B");

		Bundle both = (Bundle) fhir().get("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps).resource();
		assertThat(both.getTotal()).isEqualTo(2);
	}

	@Test
	void aWriteOrDeleteByIdOfAnotherPublishersResourceIsForbidden() {
		Response a = upsert(publisher("editeur-a"), "Martin");
		String id = a.resource().getIdElement().getIdPart();
		Practitioner hijack = practitioner(id, rpps);
		hijack.getNameFirstRep().setFamily("Hijacked");

		Response put = publisher("editeur-b").put("/Practitioner/" + id, hijack);
		assertThat(put.status()).as(put.toString()).isEqualTo(403);
		assertThat(hasError(put.outcome(), PublisherOwnershipInterceptor.RULE, "Practitioner", null)).isTrue();
		Response delete = publisher("editeur-b").delete("/Practitioner/" + id);
		assertThat(delete.status()).as(delete.toString()).isEqualTo(403);

		Practitioner stored = (Practitioner) fhir().get("/Practitioner/" + id).resource();
		assertThat(stored.getNameFirstRep().getFamily()).isEqualTo("Martin");
		assertThat(publisher("editeur-a").put("/Practitioner/" + id, practitioner(id, rpps)).status()).isEqualTo(200);
	}

	@Test
	void aTransactionsConditionalEntriesAreScopedToo() {
		upsert(publisher("editeur-a"), "Martin");
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		Practitioner card = practitioner("tx-card", rpps);
		card.getNameFirstRep().setFamily("Via-Transaction");
		tx.addEntry().setResource(card).getRequest().setMethod(Bundle.HTTPVerb.PUT)
				.setUrl("Practitioner?identifier=" + IDNPS_SYSTEM + "%7C" + rpps);
		Response response = publisher("editeur-c").post("/", tx);
		assertThat(response.status()).as(response.toString()).isEqualTo(200);
		assertThat(((Bundle) response.resource()).getEntryFirstRep().getResponse().getStatus()).startsWith("201");

		Bundle cards = (Bundle) fhir().get("/Practitioner?identifier=" + IDNPS_SYSTEM + "|" + rpps).resource();
		assertThat(cards.getTotal()).isEqualTo(2);
	}

	@Test
	void thePlatformsRequestsAreNotScopedAndABadPublisherNameIsRefused() {
		Response a = upsert(publisher("editeur-a"), "Martin");
		Response platform = upsert(fhir(), "Martin-Platform");
		assertThat(platform.status()).as(platform.toString()).isEqualTo(200);
		assertThat(platform.resource().getIdElement().getIdPart()).isEqualTo(a.resource().getIdElement().getIdPart());

		Response bad = upsert(publisher("editeur a;drop"), "Martin");
		assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
	}
}
