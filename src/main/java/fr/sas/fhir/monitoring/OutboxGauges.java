package fr.sas.fhir.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The LRM outbox by state ({@code sas.lrm.outbox{state}}), read from its table (shared by the nodes, so every node
 * shows the same figures) at most every few seconds, whatever the scrape rate. Read by table name: the monitoring
 * imports no feature package.
 */
class OutboxGauges {

	static final String NAME = "sas.lrm.outbox";
	private static final List<String> STATES = List.of("PENDING", "SENT", "ACKNOWLEDGED", "ERROR", "EXPIRED");
	private static final long EVERY_NANOS = 5_000_000_000L;

	private final JdbcTemplate jdbc;
	private volatile Map<String, Long> counts = Map.of();
	private volatile long readAt = System.nanoTime() - EVERY_NANOS;

	OutboxGauges(JdbcTemplate jdbc, MeterRegistry meters) {
		this.jdbc = jdbc;
		for (String state : STATES) {
			Gauge.builder(NAME, this, g -> g.count(state)).description("messages to the LRMs, by state")
					.tag("state", state.toLowerCase()).register(meters);
		}
	}

	private double count(String state) {
		if (System.nanoTime() - readAt >= EVERY_NANOS) {
			Map<String, Long> read = new ConcurrentHashMap<>();
			try {
				jdbc.query("select STATE, count(*) from SAS_LRM_MESSAGE group by STATE",
						rs -> { read.put(rs.getString(1), rs.getLong(2)); });
			} catch (RuntimeException noTable) {
				return Double.NaN;
			}
			counts = read;
			readAt = System.nanoTime();
		}
		return counts.getOrDefault(state, 0L);
	}
}
