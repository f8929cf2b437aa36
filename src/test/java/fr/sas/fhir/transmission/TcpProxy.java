package fr.sas.fhir.transmission;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between the server and the broker, which the fault tests cut (every connection closed, new ones
 * refused) and restore, so the machine's broker itself is never stopped.
 */
final class TcpProxy implements AutoCloseable {

	private final ServerSocket listener;
	private final int targetPort;
	private final List<Socket> open = new CopyOnWriteArrayList<>();
	private volatile boolean cut;

	TcpProxy(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "tcp-proxy-" + port());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return listener.getLocalPort();
	}

	/** Every connection through the proxy closed; new ones closed at once, until {@link #restore()}. */
	void cut() {
		cut = true;
		for (Socket socket : open) {
			closeQuietly(socket);
		}
		open.clear();
	}

	void restore() {
		cut = false;
	}

	private void accept() {
		while (!listener.isClosed()) {
			try {
				Socket client = listener.accept();
				if (cut) {
					closeQuietly(client);
					continue;
				}
				Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
				open.add(client);
				open.add(broker);
				pipe(client, broker);
				pipe(broker, client);
			} catch (IOException e) {
				// listener closed, or the broker refused: the client sees its connection fail
			}
		}
	}

	private void pipe(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16384];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int n;
				while ((n = in.read(buffer)) >= 0) {
					out.write(buffer, 0, n);
					out.flush();
				}
			} catch (IOException e) {
				// cut
			} finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "tcp-proxy-pipe");
		thread.setDaemon(true);
		thread.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		} catch (IOException e) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		cut();
		listener.close();
	}
}
