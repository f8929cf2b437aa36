package fr.sas.fhir.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Every {@code sas.*} setting of the server. Each key is documented in the README; environment variables use
 * Spring's relaxed binding ({@code SAS_DATA_DIR} for {@code sas.data-dir}).
 */
@ConfigurationProperties(prefix = "sas")
public class SasProperties {

	/** Root of the embedded default's files: H2 database and Lucene index live below it. */
	private Path dataDir = Path.of("data");

	private final Fhir fhir = new Fhir();
	private final Database database = new Database();
	private final Index index = new Index();
	private final Ig ig = new Ig();
	private final Rules rules = new Rules();
	private final Search search = new Search();
	private final Validation validation = new Validation();

	public Path getDataDir() {
		return dataDir;
	}

	public void setDataDir(Path dataDir) {
		this.dataDir = dataDir;
	}

	public Fhir getFhir() {
		return fhir;
	}

	public Database getDatabase() {
		return database;
	}

	public Index getIndex() {
		return index;
	}

	public Ig getIg() {
		return ig;
	}

	public Rules getRules() {
		return rules;
	}

	public Validation getValidation() {
		return validation;
	}

	/** Validation of writes against the SAS profiles. */
	public static class Validation {
		/**
		 * How many verdicts the validator remembers, keyed by the resource with the values it only checks for
		 * form (ids, instants, free text) masked; 0 validates every resource in full.
		 */
		private int memoSize = 20_000;

		public int getMemoSize() {
			return memoSize;
		}

		public void setMemoSize(int memoSize) {
			this.memoSize = memoSize;
		}
	}

	public Search getSearch() {
		return search;
	}

	public static class Search {
		/**
		 * Answer the guide's three slot searches by the dedicated path of the {@code search} package; {@code
		 * false} leaves them to HAPI's generic search (standard FHIR semantics, without the SAS search rules).
		 */
		private boolean dedicatedPath = true;
		/**
		 * Honour the request header {@code X-Sas-Search-Path: hapi}, which sends one request to HAPI's generic
		 * search: lets the benchmark and the tests compare both paths on the same data. Off in production.
		 */
		private boolean plainPathHeader = false;
		/**
		 * Answer the analyst's sorted page of free slots ({@code Slot?status=free&start=ge..&_sort=start&_count=..})
		 * from the free-slot index, in O(schedules + page) (package {@code search}); {@code false} leaves it to
		 * HAPI's generic search, O(matches).
		 */
		private boolean sortedFreeSlots = true;
		/** Most practitioner identifiers in one individual or CPTS search (the platform sends up to 25). */
		private int maxPractitioners = 25;
		/** Most SIRET in one SOS Médecins search (the platform sends up to 10). */
		private int maxSosAssociations = 10;
		/** Heap given to the slot searches' cache of encoded resources (JSON bytes); 0 turns it off. */
		private org.springframework.util.unit.DataSize cacheSize = org.springframework.util.unit.DataSize.ofMegabytes(512);

		/** Free slots the searches keep in memory, by schedule, with their references (about 150 bytes each); 0: none. */
		private long slotIndexSize = 2_500_000;
		/**
		 * Write the cache of encoded resources to {@code <data-dir>/cache} at a graceful shutdown and read it back,
		 * checked against the stored versions, before the warm-up's preload at the next start.
		 */
		private boolean cacheSnapshot = true;

		public boolean isCacheSnapshot() {
			return cacheSnapshot;
		}

		public void setCacheSnapshot(boolean cacheSnapshot) {
			this.cacheSnapshot = cacheSnapshot;
		}

		public long getSlotIndexSize() {
			return slotIndexSize;
		}

		public void setSlotIndexSize(long slotIndexSize) {
			this.slotIndexSize = slotIndexSize;
		}

		public org.springframework.util.unit.DataSize getCacheSize() {
			return cacheSize;
		}

		public void setCacheSize(org.springframework.util.unit.DataSize cacheSize) {
			this.cacheSize = cacheSize;
		}

		public boolean isDedicatedPath() {
			return dedicatedPath;
		}

		public void setDedicatedPath(boolean dedicatedPath) {
			this.dedicatedPath = dedicatedPath;
		}

		public boolean isSortedFreeSlots() {
			return sortedFreeSlots;
		}

		public void setSortedFreeSlots(boolean sortedFreeSlots) {
			this.sortedFreeSlots = sortedFreeSlots;
		}

		public boolean isPlainPathHeader() {
			return plainPathHeader;
		}

		public void setPlainPathHeader(boolean plainPathHeader) {
			this.plainPathHeader = plainPathHeader;
		}

		public int getMaxPractitioners() {
			return maxPractitioners;
		}

		public void setMaxPractitioners(int maxPractitioners) {
			this.maxPractitioners = maxPractitioners;
		}

		public int getMaxSosAssociations() {
			return maxSosAssociations;
		}

		public void setMaxSosAssociations(int maxSosAssociations) {
			this.maxSosAssociations = maxSosAssociations;
		}
	}

	public static class Rules {
		/**
		 * Store unprefixed national identifiers and misformatted phone numbers in their corrected form, with a
		 * warning, instead of refusing the write (the default, strict).
		 */
		private boolean normalizeIdentifiers = false;
		/** Slots that ended longer ago than this are removed by the housekeeping job. */
		private java.time.Duration slotRetention = java.time.Duration.ofDays(7);
		/** How many past slots the housekeeping job removes per transaction. */
		private int housekeepingBatchSize = 200;

		public java.time.Duration getSlotRetention() {
			return slotRetention;
		}

		public void setSlotRetention(java.time.Duration slotRetention) {
			this.slotRetention = slotRetention;
		}

		public int getHousekeepingBatchSize() {
			return housekeepingBatchSize;
		}

		public void setHousekeepingBatchSize(int housekeepingBatchSize) {
			this.housekeepingBatchSize = housekeepingBatchSize;
		}

		/** How far ahead CPTS slots are exchanged (INT_R04: the next 48 hours). */
		private java.time.Duration cptsWindow = java.time.Duration.ofHours(48);

		public java.time.Duration getCptsWindow() {
			return cptsWindow;
		}

		public void setCptsWindow(java.time.Duration cptsWindow) {
			this.cptsWindow = cptsWindow;
		}

		public boolean isNormalizeIdentifiers() {
			return normalizeIdentifiers;
		}

		public void setNormalizeIdentifiers(boolean normalizeIdentifiers) {
			this.normalizeIdentifiers = normalizeIdentifiers;
		}
	}

	public static class Fhir {
		/** Public base URL written into bundles' links; empty: derived from each request. */
		private String serverAddress = "";
		private int defaultPageSize = 100;
		/** The SAS platform asks for {@code _count=1000}. */
		private int maxPageSize = 1000;
		private boolean prettyPrint = false;

		public String getServerAddress() {
			return serverAddress;
		}

		public void setServerAddress(String serverAddress) {
			this.serverAddress = serverAddress;
		}

		public int getDefaultPageSize() {
			return defaultPageSize;
		}

		public void setDefaultPageSize(int defaultPageSize) {
			this.defaultPageSize = defaultPageSize;
		}

		public int getMaxPageSize() {
			return maxPageSize;
		}

		public void setMaxPageSize(int maxPageSize) {
			this.maxPageSize = maxPageSize;
		}

		public boolean isPrettyPrint() {
			return prettyPrint;
		}

		public void setPrettyPrint(boolean prettyPrint) {
			this.prettyPrint = prettyPrint;
		}
	}

	public static class Database {
		/** Hibernate dialect class; empty: chosen from the JDBC URL (H2 or PostgreSQL). */
		private String dialect = "";
		/** Hibernate schema action: {@code update} creates missing tables and never drops anything. */
		private String schemaAction = "update";

		public String getDialect() {
			return dialect;
		}

		public void setDialect(String dialect) {
			this.dialect = dialect;
		}

		public String getSchemaAction() {
			return schemaAction;
		}

		public void setSchemaAction(String schemaAction) {
			this.schemaAction = schemaAction;
		}
	}

	public static class Index {
		/** Hibernate Search full-text index; {@code false} turns {@code _content}/{@code _text} off. */
		private boolean enabled = true;
		/** Directory of the local Lucene index; empty: {@code <data-dir>/lucene}. */
		private String luceneDirectory = "";
		/**
		 * Where the index lives: {@code lucene} (a directory of this node; one node only) or
		 * {@code elasticsearch} (an Elasticsearch 7.10+/8 or OpenSearch 1/2 cluster every node shares).
		 */
		private String backend = "lucene";
		private Elasticsearch elasticsearch = new Elasticsearch();

		public String getBackend() {
			return backend;
		}

		public void setBackend(String backend) {
			this.backend = backend;
		}

		public Elasticsearch getElasticsearch() {
			return elasticsearch;
		}

		public void setElasticsearch(Elasticsearch elasticsearch) {
			this.elasticsearch = elasticsearch;
		}

		public boolean isEnabled() {
			return enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getLuceneDirectory() {
			return luceneDirectory;
		}

		public void setLuceneDirectory(String luceneDirectory) {
			this.luceneDirectory = luceneDirectory;
		}
	}

	/** The shared search engine, with {@code sas.index.backend=elasticsearch}. */
	public static class Elasticsearch {
		/** Comma-separated {@code host:port} of the cluster's nodes. */
		private String hosts = "localhost:9200";
		/** {@code http} or {@code https} (the JVM's trust store verifies the engine's certificate). */
		private String protocol = "http";
		private String username = "";
		private String password = "";
		/** Prefix of the index names, so that several servers (or tests) can share one cluster. */
		private String indexPrefix = "";
		/**
		 * The engine's distribution and version, e.g. {@code opensearch:2.19} or {@code 8.15}: the server then
		 * starts without asking the cluster; empty: asked at start-up.
		 */
		private String version = "";
		/** Lowest index health the server waits for at start-up: {@code yellow} suits a single-node cluster. */
		private String requiredStatus = "yellow";

		public String getHosts() {
			return hosts;
		}

		public void setHosts(String hosts) {
			this.hosts = hosts;
		}

		public String getProtocol() {
			return protocol;
		}

		public void setProtocol(String protocol) {
			this.protocol = protocol;
		}

		public String getUsername() {
			return username;
		}

		public void setUsername(String username) {
			this.username = username;
		}

		public String getPassword() {
			return password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

		public String getIndexPrefix() {
			return indexPrefix;
		}

		public void setIndexPrefix(String indexPrefix) {
			this.indexPrefix = indexPrefix;
		}

		public String getVersion() {
			return version;
		}

		public void setVersion(String version) {
			this.version = version;
		}

		public String getRequiredStatus() {
			return requiredStatus;
		}

		public void setRequiredStatus(String requiredStatus) {
			this.requiredStatus = requiredStatus;
		}
	}

	public static class Ig {
		/** The IG manifest: which guide this server implements and which conformance folders it loads. */
		private String manifest = "classpath:ig/manifest.json";
		/**
		 * Extra FHIR packages (a folder holding {@code package.json}, or a {@code .tgz}) loaded after the
		 * project's own content; their definitions replace the project's ones with the same canonical URL.
		 */
		private List<String> packages = new ArrayList<>();

		public String getManifest() {
			return manifest;
		}

		public void setManifest(String manifest) {
			this.manifest = manifest;
		}

		public List<String> getPackages() {
			return packages;
		}

		public void setPackages(List<String> packages) {
			this.packages = packages;
		}
	}
}
