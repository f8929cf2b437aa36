package fr.sas.fhir.common;

import fr.sas.fhir.support.PostgresServerTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;

class PostgresJobLeasesTest extends PostgresServerTest implements JobLeasesContract {

	@Autowired
	AutowireCapableBeanFactory beans;

	@Override
	public AutowireCapableBeanFactory beans() {
		return beans;
	}
}
