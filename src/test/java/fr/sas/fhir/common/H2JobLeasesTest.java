package fr.sas.fhir.common;

import fr.sas.fhir.support.H2ServerTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;

class H2JobLeasesTest extends H2ServerTest implements JobLeasesContract {

	@Autowired
	AutowireCapableBeanFactory beans;

	@Override
	public AutowireCapableBeanFactory beans() {
		return beans;
	}
}
