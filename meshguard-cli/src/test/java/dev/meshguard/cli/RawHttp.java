package dev.meshguard.cli;

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

/** A socket client for requests HTTP libraries refuse to send (raw paths, bad framing). */
final class RawHttp {
  private RawHttp() {}

  /** A parsed response. */
  record Response(int status, List<Map.Entry<String, String>> headers, String body) {
    String header(String name) {
      for (Map.Entry<String, String> e : headers) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  /** Sends {@code request} on a new connection and reads one response. */
  static Response exchange(InetSocketAddress to, String request) throws IOException {
    return exchange(to, request, false);
  }

  /** As {@link #exchange(InetSocketAddress, String)}; {@code head}: the response has no body. */
  static Response exchange(InetSocketAddress to, String request, boolean head) throws IOException {
    try (Socket s = new Socket(to.getAddress(), to.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return read(s.getInputStream(), head);
    }
  }

  static Response read(InputStream in) throws IOException {
    return read(in, false);
  }

  static Response read(InputStream in, boolean head) throws IOException {
    String status = line(in);
    if (status == null) {
      throw new IOException("connection closed without a response");
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String l;
    while ((l = line(in)) != null && !l.isEmpty()) {
      int c = l.indexOf(':');
      headers.add(Map.entry(l.substring(0, c).trim(), l.substring(c + 1).trim()));
    }
    Response partial = new Response(Integer.parseInt(status.split(" ", -1)[1]), headers, "");
    if (head) {
      return partial;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String te = partial.header("transfer-encoding");
    String cl = partial.header("content-length");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      int n;
      while ((n = Integer.parseInt(line(in).trim(), 16)) > 0) {
        body.write(in.readNBytes(n));
        line(in);
      }
      line(in);
    } else if (cl != null) {
      body.write(in.readNBytes(Integer.parseInt(cl)));
    }
    return new Response(partial.status(), headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }
}
