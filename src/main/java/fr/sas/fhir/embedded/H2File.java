package fr.sas.fhir.embedded;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;

/**
 * The embedded default's H2 file (an MVStore): how big it is, how much of it live data take, and H2's own online
 * compaction ({@code MVStore.compactFile}: chunks with little live data rewritten, chunks moved to the start, the
 * file truncated). Reached through a pooled connection's session, the only way H2 offers to an embedded user.
 */
final class H2File {

	/** The file's state: its size and the percentages of its blocks in use and of those blocks' data still live. */
	record State(long size, int fillRate, int chunksFillRate) {

		/** The percentage of the file live data take. */
		int liveShare() {
			return fillRate * chunksFillRate / 100;
		}

		long liveBytes() {
			return size * liveShare() / 100;
		}
	}

	/** H2's default target for the chunks' live share ({@code AUTO_COMPACT_FILL_RATE}). */
	private static final int CHUNKS_TARGET = 90;
	private static final int REWRITE_BYTES = 16 * 1024 * 1024;

	private final DataSource dataSource;

	H2File(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	State state() throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			FileStore<?> file = store(connection).getFileStore();
			return new State(file.size(), file.getFillRate(), file.getChunksFillRate());
		}
	}

	/**
	 * One step of compaction, H2's {@code compactFile} with a target of its own: the chunks that hold less than
	 * {@link #CHUNKS_TARGET} % of live data rewritten, 16 MB at a time, and chunks moved into the holes left, for
	 * about {@code millis} (the time is checked after each 16 MB); then, where the chunks are full but the file
	 * still has holes (which {@code compactFile} leaves alone), up to {@code moveBytes} of chunks moved towards the
	 * start and the file truncated. H2 sets the store's retention time to 0 for it; it is put back, so that a crash
	 * never finds chunks overwritten too early.
	 */
	void compact(int millis, long moveBytes) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			MVStore store = store(connection);
			if (!(store.getFileStore() instanceof RandomAccessStore file)) {
				return;
			}
			int retention = store.getRetentionTime();
			store.setRetentionTime(0);
			try {
				long stopAt = System.nanoTime() + millis * 1_000_000L;
				while (rewriteSome(store)) {
					store.sync();
					file.compactMoveChunks(CHUNKS_TARGET, REWRITE_BYTES, store);
					if (System.nanoTime() - stopAt > 0) {
						break;
					}
				}
				if (file.getFillRate() < 100) {
					file.compactMoveChunks(100, moveBytes, store);
				}
			} finally {
				store.setRetentionTime(retention);
			}
		}
	}

	/**
	 * H2's rewrite of the chunks below the target, 16 MB of them. H2 never rewrites the two chunks it saved last (its
	 * guard against an endless rewrite); on a store with no write since a large deletion, those can be the chunks
	 * the deletion emptied, and the step would find nothing to do however long it waits. Then two versions with no
	 * data (the store version, H2's setting for applications, written back unchanged) make them older, and H2 is
	 * asked again.
	 */
	private static boolean rewriteSome(MVStore store) {
		if (store.compact(CHUNKS_TARGET, REWRITE_BYTES)) {
			return true;
		}
		if (store.getFileStore().getChunksFillRate() >= CHUNKS_TARGET) {
			return false;
		}
		for (int i = 0; i < 2; i++) {
			store.setStoreVersion(store.getStoreVersion());
			store.commit();
		}
		return store.compact(CHUNKS_TARGET, REWRITE_BYTES);
	}

	private static MVStore store(Connection connection) throws SQLException {
		JdbcConnection h2 = connection.unwrap(JdbcConnection.class);
		return ((SessionLocal) h2.getSession()).getDatabase().getStore().getMvStore();
	}
}
