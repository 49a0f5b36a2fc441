package dev.meshguard.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A plain socket client for requests no HTTP library would send, and for byte-level checks. */
final class RawHttp implements AutoCloseable {
  final Socket socket;
  final InputStream in;
  final OutputStream out;

  /** One parsed response. */
  record Response(
      String version, int status, List<Map.Entry<String, String>> headers, String text) {
    String header(String name) {
      for (Map.Entry<String, String> e : headers) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  RawHttp(InetSocketAddress address) throws IOException {
    this(new Socket(address.getAddress(), address.getPort()));
  }

  /** Over a socket already connected (a TLS one, say). */
  RawHttp(Socket connected) throws IOException {
    socket = connected;
    socket.setSoTimeout(20_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one response; {@code head} says there is no body whatever the headers claim. */
  Response read(boolean head) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      return null;
    }
    String[] parts = statusLine.split(" ", 3);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String l;
    while ((l = line()) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      headers.add(Map.entry(l.substring(0, colon).trim(), l.substring(colon + 1).trim()));
    }
    int status = Integer.parseInt(parts[1]);
    Response partial = new Response(parts[0], status, headers, "");
    if (head || status == 204 || status == 304 || status < 200) {
      return partial;
    }
    String te = partial.header("transfer-encoding");
    String cl = partial.header("content-length");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      while (true) {
        String size = line();
        int n = Integer.parseInt(size.split(";", -1)[0].trim(), 16);
        if (n == 0) {
          while ((l = line()) != null && !l.isEmpty()) {
            // trailers
          }
          break;
        }
        body.write(in.readNBytes(n));
        line();
      }
    } else if (cl != null) {
      body.write(in.readNBytes(Integer.parseInt(cl)));
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(parts[0], status, headers, body.toString(StandardCharsets.UTF_8));
  }

  Response read() throws IOException {
    return read(false);
  }

  /** Reads one CRLF-terminated line, or null at end of stream. */
  String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] bytes = b.toByteArray();
        int len =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  /** True when the server closed the connection (reads end of stream). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
