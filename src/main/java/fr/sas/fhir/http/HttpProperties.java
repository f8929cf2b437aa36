package fr.sas.fhir.http;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code sas.http.*}: what the HTTP layer accepts before FHIR processing. */
@ConfigurationProperties(prefix = "sas.http")
public class HttpProperties {

	/**
	 * Largest request body accepted (a publisher's transaction of 500 slots is under 1 MB); a larger one is refused
	 * with 413 before it is read into memory.
	 */
	private DataSize maxBodySize = DataSize.ofMegabytes(10);

	public DataSize getMaxBodySize() {
		return maxBodySize;
	}

	public void setMaxBodySize(DataSize maxBodySize) {
		this.maxBodySize = maxBodySize;
	}
}
