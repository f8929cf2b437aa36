package fr.sas.fhir.search;

import fr.sas.fhir.common.CacheWarmer;
import fr.sas.fhir.common.SasProperties;
import fr.sas.fhir.common.SlotSource;

import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import fr.sas.fhir.search.EncodedResources.Encoded;
import fr.sas.fhir.search.SlotIndexQueries.StoredVersion;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The cache of encoded resources ({@link EncodedResources}) written to {@code <data-dir>/cache} at a graceful
 * shutdown and read back at the next start, before the warm-up's preload ({@link StoredDataPreload}), which then
 * finds most of what it reads already encoded: loading and encoding each stored resource through HAPI was most of
 * the preload's time, and the preload most of the warm-up's (docs/operations.md).
 *
 * <p>An entry read back is kept only if the store still holds that resource, not deleted, at that version, written
 * at that millisecond ({@code HFJ_RESOURCE.RES_VER}, {@code RES_UPDATED}): what changed while the node was down is
 * dropped and read again, and a store recreated or restored under the file keeps nothing of it. The format is the
 * server's own, read field by field (no Java serialization of what a file holds).
 */
@Component
@Order(0)
class EncodedResourcesSnapshot implements CacheWarmer, SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(EncodedResourcesSnapshot.class);
	static final String FILE = "encoded-resources.bin";
	private static final int MAGIC = 0x53415345;
	private static final int FORMAT = 1;
	/** Entries checked against the store per query. */
	private static final int CHECK = 1000;
	/** No resource of the guide comes near; a larger length means the file is not one of ours. */
	private static final int MAX_LENGTH = 64 << 20;
	private static final long NONE = Long.MIN_VALUE;

	private final EncodedResources encodedResources;
	private final SlotIndexQueries queries;
	private final IHapiTransactionService transactions;
	private final Path file;
	private final boolean enabled;
	private volatile boolean running;

	EncodedResourcesSnapshot(EncodedResources encodedResources, SlotIndexQueries queries,
			IHapiTransactionService transactions, SasProperties properties) {
		this.encodedResources = encodedResources;
		this.queries = queries;
		this.transactions = transactions;
		this.file = properties.getDataDir().resolve("cache").resolve(FILE);
		this.enabled = properties.getSearch().isCacheSnapshot() && properties.getSearch().getCacheSize().toBytes() > 0;
	}

	@Override
	public String warm(Duration budget) {
		if (!enabled) {
			return "no snapshot of the encoded resources (sas.search.cache-snapshot)";
		}
		if (!Files.isRegularFile(file)) {
			return "no snapshot of the encoded resources at " + file;
		}
		try {
			return read(file, budget);
		} catch (IOException | RuntimeException e) {
			LOG.warn("The snapshot of the encoded resources {} could not be read; the preload reads the store", file, e);
			return "snapshot " + file + " unreadable: " + e;
		}
	}

	/** Reads the file back into the cache, each entry checked against the store; a line for the log. */
	String read(Path from, Duration budget) throws IOException {
		long started = System.nanoTime();
		long deadline = started + budget.toNanos();
		int read = 0;
		int kept = 0;
		Instant written;
		try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(from), 1 << 16))) {
			if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
				return "snapshot " + from + " of another format: ignored";
			}
			written = Instant.ofEpochMilli(in.readLong());
			Map<Long, Encoded> batch = new LinkedHashMap<>();
			for (long pid = in.readLong(); pid >= 0 && !stop(deadline); pid = in.readLong()) {
				batch.put(pid, readEntry(in));
				read++;
				if (batch.size() == CHECK) {
					kept += keepCurrent(batch);
					batch.clear();
				}
			}
			kept += keepCurrent(batch);
		}
		return String.format("%d of the %d encoded resources of the snapshot written %s kept (the others changed"
				+ " since), read in %d ms%s", kept, read, written, Duration.ofNanos(System.nanoTime() - started).toMillis(),
				encodedResources.isFull() ? " (the cache is full: sas.search.cache-size)"
						: stop(deadline) ? " (the budget ran out)" : "");
	}

	private int keepCurrent(Map<Long, Encoded> batch) {
		if (batch.isEmpty()) {
			return 0;
		}
		List<StoredVersion> stored =
				transactions.withSystemRequest().readOnly().execute(() -> queries.currentVersions(batch.keySet()));
		int kept = 0;
		for (StoredVersion now : stored) {
			Encoded encoded = batch.get(now.pid());
			if (encoded != null && encoded.version() == now.version() && encoded.updated() == now.updated()) {
				encodedResources.restore(now.pid(), encoded);
				kept++;
			}
		}
		return kept;
	}

	private boolean stop(long deadline) {
		return System.nanoTime() - deadline >= 0 || encodedResources.isFull();
	}

	/** Writes the cache as it is now, through a file of its own moved into place: a crash leaves the old one. */
	void write(Path to, Map<Long, Encoded> entries) throws IOException {
		Files.createDirectories(to.getParent());
		Path partial = to.resolveSibling(to.getFileName() + "." + UUID.randomUUID() + ".part");
		try {
			try (DataOutputStream out =
					new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16))) {
				out.writeInt(MAGIC);
				out.writeInt(FORMAT);
				out.writeLong(System.currentTimeMillis());
				for (Map.Entry<Long, Encoded> entry : entries.entrySet()) {
					out.writeLong(entry.getKey());
					writeEntry(out, entry.getValue());
				}
				out.writeLong(-1);
			}
			Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		} finally {
			Files.deleteIfExists(partial);
		}
	}

	@Override
	public void start() {
		running = true;
	}

	/** After the web server's graceful shutdown (a lower phase stops later): no request is using the cache. */
	@Override
	public void stop() {
		running = false;
		if (!enabled || encodedResources.kept().isEmpty()) {
			return;
		}
		long started = System.nanoTime();
		try {
			Map<Long, Encoded> entries = encodedResources.kept();
			write(file, entries);
			LOG.info("Snapshot of {} encoded resources written to {} in {} ms", entries.size(), file,
					Duration.ofNanos(System.nanoTime() - started).toMillis());
		} catch (IOException | RuntimeException e) {
			LOG.warn("The snapshot of the encoded resources could not be written to {}: the next start reads the store",
					file, e);
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		return 0;
	}

	private static void writeEntry(DataOutputStream out, Encoded e) throws IOException {
		writeString(out, e.type());
		writeString(out, e.id());
		out.writeLong(e.version());
		out.writeLong(e.updated());
		out.writeInt(e.json().length);
		out.write(e.json());
		out.writeBoolean(e.cpts());
		out.writeLong(e.end() == null ? NONE : e.end().toEpochMilli());
		writeString(out, e.scheduleId());
		SlotSource.SlotFacets facets = e.facets();
		out.writeBoolean(facets != null);
		if (facets != null) {
			writeStrings(out, facets.consultationTypes());
			writeStrings(out, facets.slotTypes());
			writeStrings(out, facets.appointmentTypes());
			writeString(out, facets.specialtyLabels());
			writeStrings(out, facets.serviceReferences());
		}
		out.writeLong(e.start() == null ? NONE : e.start().toEpochMilli());
		out.writeBoolean(e.free());
	}

	private static Encoded readEntry(DataInputStream in) throws IOException {
		String type = readString(in);
		String id = readString(in);
		long version = in.readLong();
		long updated = in.readLong();
		byte[] json = new byte[length(in)];
		in.readFully(json);
		boolean cpts = in.readBoolean();
		Instant end = instant(in.readLong());
		String scheduleId = readString(in);
		SlotSource.SlotFacets facets = null;
		if (in.readBoolean()) {
			facets = new SlotSource.SlotFacets(Set.copyOf(readStrings(in)), Set.copyOf(readStrings(in)),
					Set.copyOf(readStrings(in)), readString(in), List.copyOf(readStrings(in)));
		}
		Instant start = instant(in.readLong());
		boolean free = in.readBoolean();
		return new Encoded(type, id, version, updated, json, cpts, end, scheduleId, facets, start, free);
	}

	private static Instant instant(long millis) {
		return millis == NONE ? null : Instant.ofEpochMilli(millis);
	}

	private static void writeString(DataOutputStream out, String value) throws IOException {
		if (value == null) {
			out.writeInt(-1);
			return;
		}
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(bytes.length);
		out.write(bytes);
	}

	private static String readString(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length == -1) {
			return null;
		}
		if (length < 0 || length > MAX_LENGTH) {
			throw new IOException("not a snapshot of encoded resources: a length of " + length);
		}
		byte[] bytes = new byte[length];
		in.readFully(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static void writeStrings(DataOutputStream out, Collection<String> values) throws IOException {
		out.writeInt(values.size());
		for (String value : values) {
			writeString(out, value);
		}
	}

	private static List<String> readStrings(DataInputStream in) throws IOException {
		int size = length(in);
		List<String> values = new ArrayList<>(size);
		for (int i = 0; i < size; i++) {
			values.add(readString(in));
		}
		return values;
	}

	private static int length(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 0 || length > MAX_LENGTH) {
			throw new IOException("not a snapshot of encoded resources: a length of " + length);
		}
		return length;
	}
}
