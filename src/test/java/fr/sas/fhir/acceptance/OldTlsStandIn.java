package fr.sas.fhir.acceptance;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A scripted TLS responder for the TLS-version probe: it reads a ClientHello and answers a ServerHello choosing the
 * highest version both sides have, or the alert protocol_version below {@code lowest}. Not a TLS stack: this JVM's
 * refuses TLS 1.0/1.1 on both sides, so a real TLS 1.1 server cannot be started in the tests; the ServerHello is where
 * a server accepts a version, and all the probe reads.
 */
final class OldTlsStandIn implements AutoCloseable {

	private final ServerSocket socket;
	private final int lowest;
	private final int highest;

	OldTlsStandIn(int lowest, int highest) {
		this.lowest = lowest;
		this.highest = highest;
		try {
			socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		Thread thread = new Thread(this::serve, "old-tls-stand-in");
		thread.setDaemon(true);
		thread.start();
	}

	String base() {
		return "https://localhost:" + socket.getLocalPort() + "/fhir";
	}

	private void serve() {
		while (!socket.isClosed()) {
			try (Socket client = socket.accept()) {
				DataInputStream in = new DataInputStream(client.getInputStream());
				byte[] header = new byte[5];
				in.readFully(header);
				byte[] hello = new byte[(header[3] & 0xFF) << 8 | header[4] & 0xFF];
				in.readFully(hello);
				int offered = (hello[4] & 0xFF) << 8 | hello[5] & 0xFF;
				int chosen = Math.min(offered, highest);
				OutputStream out = client.getOutputStream();
				if (chosen < lowest) {
					out.write(new byte[] {21, 3, 1, 0, 2, 2, 70}); // fatal protocol_version
				} else {
					int suites = 39 + (hello[38] & 0xFF);
					byte[] answer = new byte[5 + 4 + 38];
					answer[0] = 22;
					answer[1] = 3;
					answer[2] = (byte) chosen;
					answer[4] = 42; // 4 + 38
					answer[5] = 2; // ServerHello
					answer[8] = 38;
					answer[9] = 3;
					answer[10] = (byte) chosen;
					answer[43] = 0; // no session id
					answer[44] = hello[suites + 2]; // the first suite offered
					answer[45] = hello[suites + 3];
					out.write(answer);
				}
				out.flush();
			} catch (IOException e) {
				// closed, or a client that went away
			}
		}
	}

	@Override
	public void close() {
		try {
			socket.close();
		} catch (IOException e) {
			// closing anyway
		}
	}
}
