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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A deliberately lenient upstream that records every request byte for byte (an HTTP library would
 * re-parse `//admin` or `%2F`, refuse control characters, or hide trailers), answers 200 `ok`, and
 * keeps connections alive. It accepts anything that looks like a request, so what it records is
 * what a careless backend would act on.
 */
final class RawUpstream implements AutoCloseable {
  private final ServerSocket server;
  final BlockingQueue<String> requestLines = new LinkedBlockingQueue<>();
  final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();

  /**
   * A request as received.
   *
   * @param requestLine the request line as ISO-8859-1 text (one char per byte)
   * @param headers the header lines, split at the first `:`, value trimmed
   * @param body the body, de-chunked when chunked
   * @param trailers the trailer lines of a chunked body, split like headers
   * @param raw every byte of the request as received, framing included
   */
  record Received(
      String requestLine,
      List<Map.Entry<String, String>> headers,
      byte[] body,
      List<Map.Entry<String, String>> trailers,
      byte[] raw) {

    /** The first value of a header, or null. */
    String header(String name) {
      for (Map.Entry<String, String> e : headers) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }

    /** Every request byte as ISO-8859-1 text, for assertions on exact wire content. */
    String rawText() {
      return new String(raw, StandardCharsets.ISO_8859_1);
    }
  }

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
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String requestLine = line(in, raw);
        if (requestLine == null) {
          return;
        }
        List<Map.Entry<String, String>> headers = fields(in, raw);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<Map.Entry<String, String>> trailers = new ArrayList<>();
        String te = value(headers, "transfer-encoding");
        String cl = value(headers, "content-length");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
          int size;
          while ((size = chunkSize(line(in, raw))) > 0) {
            byte[] chunk = in.readNBytes(size);
            raw.write(chunk);
            body.write(chunk);
            line(in, raw);
          }
          trailers = fields(in, raw);
        } else if (cl != null) {
          byte[] b = in.readNBytes(Integer.parseInt(cl.trim()));
          raw.write(b);
          body.write(b);
        }
        requestLines.add(requestLine);
        requests.add(
            new Received(requestLine, headers, body.toByteArray(), trailers, raw.toByteArray()));
        // a response to HEAD has no body, whatever its Content-Length says
        String response =
            requestLine.startsWith("HEAD ")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        out.write(response.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // connection closed, or framing this lenient parser cannot follow
    }
  }

  private static List<Map.Entry<String, String>> fields(InputStream in, ByteArrayOutputStream raw)
      throws IOException {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    String h;
    while ((h = line(in, raw)) != null && !h.isEmpty()) {
      int colon = h.indexOf(':');
      fields.add(
          colon < 0
              ? Map.entry(h, "")
              : Map.entry(h.substring(0, colon), h.substring(colon + 1).trim()));
    }
    return fields;
  }

  private static String value(List<Map.Entry<String, String>> fields, String name) {
    for (Map.Entry<String, String> e : fields) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static int chunkSize(String line) {
    if (line == null) {
      return 0;
    }
    int ext = line.indexOf(';');
    return Integer.parseInt((ext < 0 ? line : line.substring(0, ext)).trim(), 16);
  }

  /** The request target of a recorded request line. */
  static String target(String requestLine) {
    return requestLine.split(" ", -1)[1];
  }

  private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      raw.write(c);
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
