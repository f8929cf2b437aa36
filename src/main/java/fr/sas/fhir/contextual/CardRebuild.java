package fr.sas.fhir.contextual;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import fr.sas.fhir.common.FhirOperationProvider;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import org.hibernate.search.mapper.orm.Search;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * Rebuilds every card from the store, then the card index from the cards: {@code POST [base]/$contextual-rebuild}
 * (an operator's action, after restoring a database or losing the index), and at start-up when the card table is
 * empty while the store holds practitioner roles (a database written before this feature).
 */
public class CardRebuild implements FhirOperationProvider {

	private static final Logger LOG = LoggerFactory.getLogger(CardRebuild.class);
	private static final int BATCH = 500;
	private static final List<String> CARD_TYPES = List.of("PractitionerRole", "HealthcareService", "Location");

	private final DaoRegistry daoRegistry;
	private final IHapiTransactionService transactions;
	private final CardMaintenance maintenance;
	private final boolean fullText;

	@PersistenceContext
	private EntityManager entityManager;

	CardRebuild(DaoRegistry daoRegistry, IHapiTransactionService transactions, CardMaintenance maintenance, boolean fullText) {
		this.daoRegistry = daoRegistry;
		this.transactions = transactions;
		this.maintenance = maintenance;
		this.fullText = fullText;
	}

	@Operation(name = "$contextual-rebuild")
	public Parameters rebuildOperation() {
		Parameters out = new Parameters();
		out.addParameter().setName("cards").setValue(new IntegerType(rebuild()));
		return out;
	}

	@EventListener(ApplicationReadyEvent.class)
	public void rebuildWhenMissing() {
		long cards = transactions.withSystemRequest().readOnly().execute(
				() -> entityManager.createQuery("select count(c) from ContextualCard c", Long.class).getSingleResult());
		if (cards == 0 && daoRegistry.getResourceDao("PractitionerRole").search(
				new SearchParameterMap().setLoadSynchronous(true).setCount(1), new SystemRequestDetails()).size() > 0) {
			LOG.info("No contextual-search card yet: building them from the store");
			rebuild();
		}
	}

	/** Every card again; returns how many there are. */
	public int rebuild() {
		long began = System.currentTimeMillis();
		transactions.withSystemRequest().execute(() -> entityManager.createQuery("delete from ContextualCard").executeUpdate());
		for (String type : CARD_TYPES) {
			IBundleProvider all = daoRegistry.getResourceDao(type).search(new SearchParameterMap(), new SystemRequestDetails());
			int size = all.size() == null ? Integer.MAX_VALUE : all.size();
			for (int from = 0; from < size; from += BATCH) {
				List<IBaseResource> batch = all.getResources(from, Math.min(size, from + BATCH));
				if (batch.isEmpty()) {
					break;
				}
				transactions.withSystemRequest().execute(() -> batch.forEach(r -> maintenance.store(maintenance.builder().build((Resource) r))));
			}
		}
		if (fullText) {
			try {
				Search.mapping(entityManager.getEntityManagerFactory()).scope(ContextualCard.class).massIndexer()
						.threadsToLoadObjects(1).startAndWait();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		int cards = transactions.withSystemRequest().readOnly().execute(
				() -> entityManager.createQuery("select count(c) from ContextualCard c", Long.class).getSingleResult()).intValue();
		LOG.info("{} contextual-search cards rebuilt in {} ms", cards, System.currentTimeMillis() - began);
		return cards;
	}
}
