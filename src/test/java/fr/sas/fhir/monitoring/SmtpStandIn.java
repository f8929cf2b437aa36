package fr.sas.fhir.monitoring;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A minimal SMTP server for the tests (plain, no authentication): keeps each message's DATA as received. */
final class SmtpStandIn {

	private final ServerSocket socket;
	private final List<String> messages = new CopyOnWriteArrayList<>();

	SmtpStandIn() {
		try {
			socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		Thread thread = new Thread(this::serve, "smtp-stand-in");
		thread.setDaemon(true);
		thread.start();
	}

	int port() {
		return socket.getLocalPort();
	}

	List<String> messages() {
		return messages;
	}

	private void serve() {
		while (!socket.isClosed()) {
			try (Socket client = socket.accept()) {
				client.setSoTimeout(10_000);
				BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
				OutputStream out = client.getOutputStream();
				say(out, "220 localhost SMTP stand-in");
				String line;
				while ((line = in.readLine()) != null) {
					String command = line.toUpperCase();
					if (command.startsWith("EHLO") || command.startsWith("HELO")) {
						say(out, "250 localhost");
					} else if (command.startsWith("DATA")) {
						say(out, "354 end with <CRLF>.<CRLF>");
						StringBuilder data = new StringBuilder();
						while ((line = in.readLine()) != null && !line.equals(".")) {
							data.append(line).append('\n');
						}
						messages.add(data.toString());
						say(out, "250 queued");
					} else if (command.startsWith("QUIT")) {
						say(out, "221 bye");
						break;
					} else {
						say(out, "250 OK");
					}
				}
			} catch (IOException e) {
				// next connection
			}
		}
	}

	private static void say(OutputStream out, String line) throws IOException {
		out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
		out.flush();
	}
}
