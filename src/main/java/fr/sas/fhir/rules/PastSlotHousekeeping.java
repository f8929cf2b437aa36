package fr.sas.fhir.rules;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import fr.sas.fhir.common.JobLeases;
import fr.sas.fhir.common.SasProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Slot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes the slots that ended longer ago than {@code sas.rules.slot-retention} (7 days), a batch per
 * transaction so that publishers' writes are never held up. A slot still referenced (by an appointment) is kept.
 * On several nodes one node runs it at a time ({@link JobLeases}).
 */
@Component
public class PastSlotHousekeeping {

	private static final Logger LOG = LoggerFactory.getLogger(PastSlotHousekeeping.class);
	/** Slot has no {@code end} search parameter: candidates are found by start, the end is then checked. */
	private static final Duration LONGEST_SLOT = Duration.ofDays(1);

	private final DaoRegistry daoRegistry;
	private final Clock clock;
	private final Duration retention;
	private final int batchSize;

	private final JobLeases leases;
	private final Duration lease;

	public PastSlotHousekeeping(DaoRegistry daoRegistry, Clock clock, SasProperties properties, JobLeases leases,
			@org.springframework.beans.factory.annotation.Value("${sas.rules.housekeeping-interval:PT1H}") Duration interval) {
		this.leases = leases;
		this.lease = interval;
		this.daoRegistry = daoRegistry;
		this.clock = clock;
		this.retention = properties.getRules().getSlotRetention();
		this.batchSize = properties.getRules().getHousekeepingBatchSize();
	}

	@Scheduled(
			initialDelayString = "${sas.rules.housekeeping-initial-delay:PT10M}",
			fixedDelayString = "${sas.rules.housekeeping-interval:PT1H}")
	public void run() {
		// on several nodes, one purges at a time; the lease lasts an interval, so a node that dies frees it by the next turn
		boolean ran = leases.runAlone("slot-housekeeping", lease, () -> {
			int removed = purge();
			if (removed > 0) {
				LOG.info("Housekeeping removed {} slots ended before now - {}", removed, retention);
			}
		});
		if (!ran) {
			LOG.debug("Housekeeping skipped: another node holds its lease");
		}
	}

	/** Removes every slot ended before now - retention; returns how many. */
	@SuppressWarnings("unchecked")
	public int purge() {
		Instant limit = clock.instant().minus(retention);
		IFhirResourceDao<Slot> dao = daoRegistry.getResourceDao(Slot.class);
		int removed = 0;
		int offset = 0;
		while (true) {
			SearchParameterMap map = SearchParameterMap.newSynchronous(
					"start", new DateParam(ParamPrefixEnum.LESSTHAN, Date.from(limit)));
			map.setCount(batchSize);
			map.setOffset(offset);
			List<IBaseResource> candidates = dao.search(map, new SystemRequestDetails()).getResources(0, batchSize);
			if (candidates.isEmpty()) {
				return removed;
			}
			int kept = 0;
			for (IBaseResource candidate : candidates) {
				Slot slot = (Slot) candidate;
				if (slot.getEnd() == null || !slot.getEnd().toInstant().isBefore(limit)) {
					kept++;
					continue;
				}
				try {
					dao.delete(slot.getIdElement().toUnqualifiedVersionless(), new SystemRequestDetails());
					removed++;
				} catch (BaseServerResponseException referenced) {
					kept++; // an appointment still points to it
				}
			}
			offset += kept;
			if (candidates.size() < batchSize) {
				return removed;
			}
		}
	}
}
