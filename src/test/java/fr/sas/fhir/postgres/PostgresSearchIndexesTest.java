package fr.sas.fhir.postgres;

import static fr.sas.fhir.support.SasTestData.practitioner;
import static org.assertj.core.api.Assertions.assertThat;

import fr.sas.fhir.support.FhirHttp;
import fr.sas.fhir.support.PostgresServerTest;
import fr.sas.fhir.support.ServerTestBase;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The server's own indexes on HAPI's tables are there after start on PostgreSQL, and the searches they serve answer as HAPI's. */
class PostgresSearchIndexesTest extends PostgresServerTest {

	@Autowired
	SearchIndexes indexes;

	@Autowired
	DataSource dataSource;

	private Boolean validity() {
		return new JdbcTemplate(dataSource).execute((java.sql.Connection c) -> SearchIndexes.validity(c, "idx_sas_res_live_type"));
	}

	@Test
	void theIndexIsBuiltAtStartAndAgainWhenDropped() {
		assertThat(validity()).as("built at start, valid").isTrue();
		assertThat(indexes.ensure()).as("nothing to build").isEmpty();
		new JdbcTemplate(dataSource).execute("DROP INDEX idx_sas_res_live_type");
		assertThat(validity()).isNull();
		assertThat(indexes.ensure()).containsExactly("idx_sas_res_live_type");
		assertThat(validity()).isTrue();
	}

	@Test
	void aTagSearchCountsAndReturnsTheLiveResourcesOnly() {
		String code = "ix-" + UUID.randomUUID().toString().substring(0, 8);
		FhirHttp publisher = fhir().with(ServerTestBase.PUBLISHER_HEADER, "indexes-" + code);
		List<String> ids = List.of(code + "-a", code + "-b", code + "-c");
		for (int i = 0; i < ids.size(); i++) {
			Practitioner p = practitioner(ids.get(i), "8" + (UUID.randomUUID().toString().replaceAll("[^0-9]", "") + "0000000000").substring(0, 10) + i);
			p.getMeta().addTag("urn:sas-test:index", code, null);
			assertThat(publisher.put("/Practitioner/" + ids.get(i), p).status()).isIn(200, 201);
		}
		assertThat(publisher.delete("/Practitioner/" + ids.get(1)).status()).isIn(200, 204);

		FhirHttp.Response count = fhir().get("/Practitioner?_tag=urn:sas-test:index|" + code + "&_summary=count");
		assertThat(count.status()).as(count.toString()).isEqualTo(200);
		assertThat(count.bundle().getTotal()).isEqualTo(2);
		Bundle found = fhir().get("/Practitioner?_tag=urn:sas-test:index|" + code + "&_sort=_id").bundle();
		assertThat(found.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactly(ids.get(0), ids.get(2));
	}
}
