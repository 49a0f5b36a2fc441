package dev.meshguard.jwks;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately small HTTP/1.1 GET client over JDK sockets. It exists because a route may say to
 * connect to an address other than the URL's host (a ServiceEntry's STATIC endpoint) while still
 * sending the URL's host and verifying the certificate for it, which {@code
 * java.net.http.HttpClient} cannot do. Strict limits: one overall deadline for connect, handshake
 * and response; bounded status line, headers and body; no redirects, no compression, no keep-alive.
 */
final class HttpFetcher {
  private static final int MAX_LINE = 8 * 1024;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int MAX_HEADERS = 100;
  private static final int MAX_ERRORS_REPORTED = 3;

  /** Name resolution, replaceable in tests. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** A response: the status, and the body for 2xx answers (null otherwise: never read). */
  static final class Response {
    private final int status;
    private final byte[] body;

    Response(int status, byte[] body) {
      this.status = status;
      this.body = body;
    }

    int status() {
      return status;
    }

    byte[] body() {
      return body;
    }
  }

  private final AddressPolicy addressPolicy;
  private final Resolver resolver;

  HttpFetcher(AddressPolicy addressPolicy, Resolver resolver) {
    this.addressPolicy = requireNonNull(addressPolicy, "addressPolicy");
    this.resolver = requireNonNull(resolver, "resolver");
  }

  /** GETs {@code route} within {@code timeout}, reading at most {@code maxBodyBytes}. */
  Response get(Route route, Duration timeout, int maxBodyBytes) throws FetchException {
    long deadline = System.nanoTime() + timeout.toNanos();
    SSLContext tlsContext = route.tls() == null ? null : TlsSupport.clientContext(route.tls());
    List<String> errors = new ArrayList<>();
    for (Route.Dial dial : route.dials()) {
      for (InetAddress address : addresses(dial, errors)) {
        String refused = addressPolicy.refuseAddress(address);
        if (refused != null) {
          errors.add(refused);
          continue;
        }
        InetSocketAddress target = new InetSocketAddress(address, dial.port());
        try (Socket socket = connect(target, route, tlsContext, deadline)) {
          return exchange(socket, route, deadline, maxBodyBytes);
        } catch (SocketTimeoutException e) {
          throw new FetchException("timed out after " + timeout.toMillis() + " ms (" + dial + ")");
        } catch (FetchException e) {
          throw e;
        } catch (SSLException e) {
          // A certificate problem is not fixed by another address of the same service.
          throw FetchException.io("tls handshake with " + dial + " failed", e);
        } catch (IOException e) {
          errors.add(FetchException.shorten(dial + ": " + describe(e)));
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new FetchException("timed out after " + timeout.toMillis() + " ms (" + dial + ")");
        }
      }
    }
    if (errors.isEmpty()) {
      throw new FetchException("no address to connect to");
    }
    List<String> shown = errors.subList(0, Math.min(errors.size(), MAX_ERRORS_REPORTED));
    throw new FetchException("cannot connect: " + String.join("; ", shown));
  }

  private List<InetAddress> addresses(Route.Dial dial, List<String> errors) {
    InetAddress literal = AddressPolicy.literal(dial.host());
    if (literal != null) {
      return List.of(literal);
    }
    String refused = addressPolicy.refuseHost(dial.host());
    if (refused != null) {
      errors.add(refused);
      return List.of();
    }
    try {
      return List.of(resolver.resolve(dial.host()));
    } catch (UnknownHostException e) {
      errors.add("host `" + dial.host() + "` does not resolve");
      return List.of();
    }
  }

  private static Socket connect(
      InetSocketAddress target, Route route, SSLContext tlsContext, long deadline)
      throws IOException, FetchException {
    Socket raw = new Socket();
    try {
      raw.connect(target, remainingMillis(deadline));
      raw.setTcpNoDelay(true);
      if (tlsContext == null) {
        return raw;
      }
      Route.Tls tls = route.tls();
      raw.setSoTimeout(remainingMillis(deadline));
      SSLSocket ssl =
          (SSLSocket)
              tlsContext
                  .getSocketFactory()
                  .createSocket(raw, tls.verifyName(), target.getPort(), true);
      SSLParameters params = ssl.getSSLParameters();
      params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      params.setServerNames(serverNames(tls.sni()));
      if (!tls.insecureSkipVerify() && tls.subjectAltNames().isEmpty()) {
        params.setEndpointIdentificationAlgorithm("HTTPS");
      }
      ssl.setSSLParameters(params);
      ssl.startHandshake();
      if (!tls.insecureSkipVerify() && !tls.subjectAltNames().isEmpty()) {
        Certificate[] chain = ssl.getSession().getPeerCertificates();
        if (chain.length == 0
            || !(chain[0] instanceof X509Certificate leaf)
            || !TlsSupport.matchesSubjectAltName(leaf, tls.subjectAltNames())) {
          ssl.close();
          throw new FetchException(
              "tls: the certificate of "
                  + target.getAddress().getHostAddress()
                  + " carries none of subjectAltNames "
                  + tls.subjectAltNames());
        }
      }
      return ssl;
    } catch (IOException | FetchException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  private static List<SNIServerName> serverNames(String sni) {
    if (sni == null) {
      return List.of();
    }
    try {
      return List.of(new SNIHostName(sni));
    } catch (IllegalArgumentException e) {
      return List.of(); // not a valid server name (an IP, say): send none
    }
  }

  private static Response exchange(Socket socket, Route route, long deadline, int maxBodyBytes)
      throws IOException, FetchException {
    String request =
        "GET "
            + route.requestTarget()
            + " HTTP/1.1\r\n"
            + "Host: "
            + route.hostHeader()
            + "\r\n"
            + "Accept: application/json\r\n"
            + "Accept-Encoding: identity\r\n"
            + "User-Agent: meshguard\r\n"
            + "Connection: close\r\n\r\n";
    socket.setSoTimeout(remainingMillis(deadline));
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(US_ASCII));
    out.flush();
    InputStream in = new DeadlineInput(socket, deadline);

    String statusLine = readLine(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new FetchException("response is not http/1.x");
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new FetchException("response has a malformed status line");
    }
    long contentLength = -1;
    boolean chunked = false;
    int headerBytes = 0;
    int headers = 0;
    while (true) {
      String line = readLine(in);
      if (line.isEmpty()) {
        break;
      }
      headerBytes += line.length() + 2;
      if (++headers > MAX_HEADERS || headerBytes > MAX_HEADER_BYTES) {
        throw new FetchException("response headers are too large");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new FetchException("response has a malformed header");
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        long parsed;
        try {
          parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new FetchException("response has a malformed content-length");
        }
        if (parsed < 0 || (contentLength >= 0 && parsed != contentLength)) {
          throw new FetchException("response has a malformed content-length");
        }
        contentLength = parsed;
      } else if (name.equals("transfer-encoding")) {
        chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
      }
    }
    if (status < 200 || status > 299) {
      return new Response(status, null); // the body is never read: nothing of it can leak
    }
    byte[] body;
    if (chunked) {
      body = readChunked(in, maxBodyBytes);
    } else if (contentLength >= 0) {
      if (contentLength > maxBodyBytes) {
        throw tooLarge(maxBodyBytes);
      }
      body = in.readNBytes((int) contentLength);
      if (body.length != contentLength) {
        throw new FetchException("response body is truncated");
      }
    } else {
      body = in.readNBytes(maxBodyBytes + 1);
      if (body.length > maxBodyBytes) {
        throw tooLarge(maxBodyBytes);
      }
    }
    return new Response(status, body);
  }

  private static byte[] readChunked(InputStream in, int maxBodyBytes)
      throws IOException, FetchException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      int semi = sizeLine.indexOf(';');
      String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new FetchException("response has a malformed chunk");
      }
      if (size < 0 || body.size() + size > maxBodyBytes) {
        throw tooLarge(maxBodyBytes);
      }
      if (size == 0) {
        int trailers = 0;
        while (!readLine(in).isEmpty()) {
          if (++trailers > MAX_HEADERS) {
            throw new FetchException("response trailers are too large");
          }
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes((int) size);
      if (chunk.length != size) {
        throw new FetchException("response body is truncated");
      }
      body.write(chunk);
      if (!readLine(in).isEmpty()) {
        throw new FetchException("response has a malformed chunk");
      }
    }
  }

  private static FetchException tooLarge(int maxBodyBytes) {
    return new FetchException("response body is larger than " + maxBodyBytes + " bytes");
  }

  /** One CRLF- (or LF-) terminated line, at most {@link #MAX_LINE} bytes. */
  private static String readLine(InputStream in) throws IOException, FetchException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new FetchException("connection closed before the response was complete");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, ISO_8859_1);
      }
      if (line.size() >= MAX_LINE) {
        throw new FetchException("response line is too long");
      }
      line.write(b);
    }
  }

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long remaining = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
    if (remaining <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(Integer.MAX_VALUE, remaining);
  }

  private static String describe(IOException e) {
    String text = e.getMessage();
    return e.getClass().getSimpleName() + (text == null ? "" : ": " + text);
  }

  /**
   * Reads through a buffer, setting the socket timeout to what is left of the deadline before every
   * read, so a server that trickles bytes cannot stretch the fetch past it.
   */
  private static final class DeadlineInput extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private final long deadline;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;

    DeadlineInput(Socket socket, long deadline) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadline = deadline;
    }

    private boolean fill() throws IOException {
      socket.setSoTimeout(remainingMillis(deadline));
      int n = in.read(buffer);
      if (n <= 0) {
        return false;
      }
      position = 0;
      limit = n;
      return true;
    }

    @Override
    public int read() throws IOException {
      if (position >= limit && !fill()) {
        return -1;
      }
      return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position >= limit && !fill()) {
        return -1;
      }
      int n = Math.min(len, limit - position);
      System.arraycopy(buffer, position, b, off, n);
      position += n;
      return n;
    }
  }
}
