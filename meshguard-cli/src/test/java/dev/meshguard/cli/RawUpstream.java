package dev.meshguard.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An upstream that records request lines byte for byte (an HTTP library would re-parse `//admin` or
 * `%2F`), answers 200 `ok`, and keeps connections alive. Bodies are ignored.
 */
final class RawUpstream implements AutoCloseable {
  private final ServerSocket server;
  final BlockingQueue<String> requestLines = new LinkedBlockingQueue<>();
  final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();

  /** A request as received: its request line and its header lines, split at the first `:`. */
  record Received(String requestLine, List<Map.Entry<String, String>> headers) {}

  RawUpstream() throws IOException {
    server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "raw-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    try {
      while (true) {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "raw-upstream-conn");
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException e) {
      // closed
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
          int colon = h.indexOf(':');
          headers.add(Map.entry(h.substring(0, colon), h.substring(colon + 1).trim()));
        }
        requestLines.add(requestLine);
        requests.add(new Received(requestLine, headers));
        // a response to HEAD has no body, whatever its Content-Length says
        String response =
            requestLine.startsWith("HEAD ")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        out.write(response.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException e) {
      // connection closed
    }
  }

  /** The request target of a recorded request line. */
  static String target(String requestLine) {
    return requestLine.split(" ", -1)[1];
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String l = b.toString(StandardCharsets.ISO_8859_1);
        return l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
      }
      b.write(c);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
