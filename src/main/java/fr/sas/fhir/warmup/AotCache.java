package fr.sas.fhir.warmup;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether this JVM runs from an AOT cache ({@code -XX:AOTCache=...}, JDK 24 and later). The cache carries the
 * method profiles of its training run (JEP 515), so the JIT needs fewer of the warm-up's requests to compile the
 * search paths. A training run ({@code -XX:AOTCacheOutput}) is not one: its warm-up is what the cache records.
 */
final class AotCache {

	private AotCache() {}

	static boolean inUse() {
		try {
			String cache = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("AOTCache")
					.getValue();
			return cache != null && !cache.isBlank();
		} catch (IllegalArgumentException | UnsupportedOperationException e) {
			return false; // JDK 17: no such option
		}
	}
}
