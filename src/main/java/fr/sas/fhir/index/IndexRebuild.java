package fr.sas.fhir.index;

import ca.uhn.fhir.rest.annotation.Operation;
import fr.sas.fhir.common.FhirOperationProvider;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import org.hibernate.search.mapper.orm.Search;
import org.hibernate.search.mapper.orm.mapping.SearchMapping;
import org.hibernate.search.mapper.pojo.massindexing.MassIndexingMonitor;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * {@code POST [base]/$index-rebuild} (administrators): the whole search index again from the database, whatever
 * its backend — the local Lucene directory or the shared Elasticsearch/OpenSearch cluster. Every index is dropped
 * and created anew (so an engine that lost its data, or holds indices of an older mapping, is fixed too), then
 * Hibernate Search's mass indexer reads every indexed entity from the database: HAPI's resources (full-text
 * search), its terminology concepts, the contextual search's cards. The database is only read. Searches that use
 * the index answer from what is indexed so far while it runs; the guide's slot searches do not use it.
 */
@Component
@ConditionalOnProperty(name = "sas.index.enabled", havingValue = "true", matchIfMissing = true)
public class IndexRebuild implements FhirOperationProvider {

	private static final Logger LOG = LoggerFactory.getLogger(IndexRebuild.class);

	@PersistenceContext
	private EntityManager entityManager;

	@Operation(name = "$index-rebuild")
	public Parameters rebuildOperation() throws InterruptedException {
		Rebuilt rebuilt = rebuild();
		Parameters out = new Parameters();
		rebuilt.entities().forEach(e -> out.addParameter().setName("entity").setValue(new StringType(e)));
		out.addParameter().setName("documents").setValue(new IntegerType((int) Math.min(Integer.MAX_VALUE, rebuilt.documents())));
		out.addParameter().setName("milliseconds").setValue(new IntegerType((int) rebuilt.milliseconds()));
		return out;
	}

	/** What a rebuild did: the indexed entity types, how many documents were written, how long it took. */
	public record Rebuilt(List<String> entities, long documents, long milliseconds) {}

	public Rebuilt rebuild() throws InterruptedException {
		long began = System.currentTimeMillis();
		SearchMapping mapping = Search.mapping(entityManager.getEntityManagerFactory());
		List<String> entities = mapping.allIndexedEntities().stream().map(e -> e.jpaName()).sorted().toList();
		mapping.scope(Object.class).schemaManager().dropAndCreate();
		Counting counting = new Counting();
		mapping.scope(Object.class).massIndexer()
				.threadsToLoadObjects(2)
				.batchSizeToLoadObjects(200)
				.monitor(counting)
				.startAndWait();
		long took = System.currentTimeMillis() - began;
		LOG.info("Search index rebuilt from the database: {} documents of {} in {} ms", counting.documents, entities, took);
		return new Rebuilt(entities, counting.documents, took);
	}

	/** Counts the documents the mass indexer wrote. */
	private static final class Counting implements MassIndexingMonitor {

		private volatile long documents;

		@Override
		public void documentsAdded(long increment) {
			documents += increment;
		}

		@Override
		public void documentsBuilt(long increment) {}

		@Override
		public void entitiesLoaded(long increment) {}

		@Override
		public void addToTotalCount(long increment) {}

		@Override
		public void indexingCompleted() {}
	}
}
