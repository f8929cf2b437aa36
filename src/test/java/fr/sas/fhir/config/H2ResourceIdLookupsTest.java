package fr.sas.fhir.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class H2ResourceIdLookupsTest {

	private final H2ResourceIdLookups inspector = new H2ResourceIdLookups();

	@Test
	void batchIdLookupBecomesRowValueListWithSameParameters() {
		String hapi = "select rt1_0.RES_ID,rt1_0.RES_TYPE,rt1_0.FHIR_ID,rt1_0.RES_DELETED_AT,rt1_0.PARTITION_ID "
				+ "from HFJ_RESOURCE rt1_0 where (rt1_0.RES_TYPE=? and rt1_0.FHIR_ID=? or rt1_0.RES_TYPE=? and "
				+ "rt1_0.FHIR_ID=? or rt1_0.RES_TYPE=? and rt1_0.FHIR_ID=?)";
		String rewritten = inspector.inspect(hapi);
		assertThat(rewritten).endsWith("where ((rt1_0.RES_TYPE,rt1_0.FHIR_ID) in ((?,?),(?,?),(?,?)))");
		assertThat(rewritten.chars().filter(c -> c == '?').count()).isEqualTo(6);
	}

	@Test
	void otherStatementsAreLeftAlone() {
		String single = "select rt1_0.RES_ID from HFJ_RESOURCE rt1_0 where (rt1_0.RES_TYPE=? and rt1_0.FHIR_ID=?)";
		String mixed = "select x from HFJ_RESOURCE r where (r.RES_TYPE=? and r.FHIR_ID=? or r.RES_DELETED_AT=?)";
		String insert = "insert into HFJ_RESOURCE (FHIR_ID) values (?)";
		assertThat(inspector.inspect(single)).isEqualTo(single);
		assertThat(inspector.inspect(mixed)).isEqualTo(mixed);
		assertThat(inspector.inspect(insert)).isEqualTo(insert);
	}
}
