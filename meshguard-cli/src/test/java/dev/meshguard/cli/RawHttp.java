package dev.meshguard.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A socket client for requests HTTP libraries refuse to send (raw paths, bad framing). */
final class RawHttp {
  /**
   * How long a test waits for an answer before calling it a hang. Generous: the machine is shared;
   * a request that is answered at all is answered in milliseconds.
   */
  static final int HANG_GUARD_MILLIS = 30_000;

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
    try (Conversation c = open(to)) {
      c.send(request);
      Response r = c.read(head);
      if (r == null) {
        throw new IOException("connection closed without a response");
      }
      return r;
    }
  }

  /** A connection for several requests, pipelining, or watching the server close. */
  static Conversation open(InetSocketAddress to) throws IOException {
    return new Conversation(to);
  }

  /** One client connection. */
  static final class Conversation implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Conversation(InetSocketAddress to) throws IOException {
      socket = new Socket(to.getAddress(), to.getPort());
      socket.setSoTimeout(HANG_GUARD_MILLIS);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    /** Sends text as ISO-8859-1: one byte per char, so any byte can be written. */
    Conversation send(String text) throws IOException {
      return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    Conversation send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
      return this;
    }

    /** The next response, or null when the server closed the connection first. */
    Response read() throws IOException {
      return read(false);
    }

    /**
     * The next response, or null when the server closed first; a server that neither answers nor
     * closes within {@link #HANG_GUARD_MILLIS} fails with {@link SocketTimeoutException}.
     */
    Response read(boolean head) throws IOException {
      try {
        return RawHttp.read(in, head);
      } catch (SocketException e) {
        return null; // reset by the server
      }
    }

    /** True when the server closed the connection (the next read ends the stream). */
    boolean closedByServer() throws IOException {
      try {
        return in.read() == -1;
      } catch (SocketException e) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static Response read(InputStream in) throws IOException {
    return read(in, false);
  }

  /** One response from {@code in}, or null at end of stream before a status line. */
  static Response read(InputStream in, boolean head) throws IOException {
    String status = line(in);
    if (status == null) {
      return null;
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String l;
    while ((l = line(in)) != null && !l.isEmpty()) {
      int c = l.indexOf(':');
      headers.add(Map.entry(l.substring(0, c).trim(), l.substring(c + 1).trim()));
    }
    int code = Integer.parseInt(status.split(" ", -1)[1]);
    Response partial = new Response(code, headers, "");
    if (head || code < 200 || code == 204 || code == 304) {
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
