package dev.meshguard.proxy.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client that writes frames byte by byte over a blocking socket, so that tests can send
 * what no well-behaved client would (pseudo-headers out of order, floods, resets). HPACK comes from
 * Netty's public encoder and decoder; {@link #literal} writes a header no encoder would validate.
 */
public final class RawH2 implements Closeable {
  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int RST_STREAM = 3;
  public static final int SETTINGS = 4;
  public static final int PING = 6;
  public static final int GOAWAY = 7;
  public static final int WINDOW_UPDATE = 8;
  public static final int CONTINUATION = 9;
  public static final int END_STREAM = 0x1;
  public static final int END_HEADERS = 0x4;
  public static final int ACK = 0x1;

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder =
      new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

  /** One frame as received. */
  public record Frame(int type, int flags, int stream, byte[] payload) {
    public boolean has(int flag) {
      return (flags & flag) != 0;
    }

    /** The error code of a RST_STREAM or GOAWAY. */
    public int errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xff) << 24)
          | ((payload[at + 1] & 0xff) << 16)
          | ((payload[at + 2] & 0xff) << 8)
          | (payload[at + 3] & 0xff);
    }
  }

  /**
   * What came back on one stream.
   *
   * @param status the `:status`, or 0 when the stream was reset first
   * @param reset the RST_STREAM error code, or -1
   * @param goAway the GOAWAY error code when the connection ended instead, or -1
   */
  public record Response(
      int status, Http2Headers headers, byte[] body, Http2Headers trailers, int reset, int goAway) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public boolean refused() {
      return status == 0 || status == 400;
    }
  }

  /** h2c with prior knowledge over a socket that reads little (for flood tests). */
  public static RawH2 plainSlowReader(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(address);
    RawH2 c = new RawH2(s);
    c.preface();
    return c;
  }

  private RawH2(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** h2c with prior knowledge: the preface and an empty SETTINGS are sent at once. */
  public static RawH2 plain(InetSocketAddress address) throws IOException {
    RawH2 c = new RawH2(new Socket(address.getAddress(), address.getPort()));
    c.preface();
    return c;
  }

  /** TLS, ALPN `h2` only, any server certificate accepted. */
  public static RawH2 tls(InetSocketAddress address, String sni) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket(address.getAddress(), address.getPort());
    SSLParameters params = s.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    if (sni != null) {
      params.setServerNames(List.of(new SNIHostName(sni)));
    }
    s.setSSLParameters(params);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      s.close();
      throw new IOException("server did not agree to h2: " + s.getApplicationProtocol());
    }
    RawH2 c = new RawH2(s);
    c.preface();
    return c;
  }

  private void preface() throws IOException {
    out.write(PREFACE);
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] head = new byte[9];
    head[0] = (byte) (payload.length >>> 16);
    head[1] = (byte) (payload.length >>> 8);
    head[2] = (byte) payload.length;
    head[3] = (byte) type;
    head[4] = (byte) flags;
    head[5] = (byte) (stream >>> 24);
    head[6] = (byte) (stream >>> 16);
    head[7] = (byte) (stream >>> 8);
    head[8] = (byte) stream;
    synchronized (out) {
      out.write(head);
      out.write(payload);
      out.flush();
    }
  }

  /** The HPACK block of {@code headers} (pseudo-headers first, as the encoder writes them). */
  public byte[] encode(Http2Headers headers) {
    ByteBuf buf = Unpooled.buffer();
    try {
      encoder.encodeHeaders(1, headers, buf);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      return bytes;
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  /** One header as an HPACK literal without indexing, names and values as given (no checks). */
  public static byte[] literal(String name, String value) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0);
    writeString(b, name.getBytes(StandardCharsets.UTF_8));
    writeString(b, value.getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream b, byte[] s) {
    // 7-bit prefix integer (RFC 7541 5.1), no Huffman
    int len = s.length;
    if (len < 127) {
      b.write(len);
    } else {
      b.write(127);
      len -= 127;
      while (len >= 128) {
        b.write((len & 0x7f) | 0x80);
        len >>>= 7;
      }
      b.write(len);
    }
    b.write(s, 0, s.length);
  }

  /** Literals for each pair, in the order given. */
  public static byte[] literals(String... nameValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < nameValues.length; i += 2) {
      b.writeBytes(literal(nameValues[i], nameValues[i + 1]));
    }
    return b.toByteArray();
  }

  /**
   * A request's headers: the pseudo-headers, then {@code extra} (names lower-cased as h2 wants).
   */
  public static Http2Headers request(
      String method, String authority, String path, List<Map.Entry<String, String>> extra) {
    Http2Headers h = new DefaultHttp2Headers(false).method(method).scheme("http").path(path);
    if (authority != null) {
      h.authority(authority);
    }
    for (Map.Entry<String, String> e : extra) {
      h.add(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue());
    }
    return h;
  }

  public void headers(int stream, Http2Headers headers, boolean endStream) throws IOException {
    headerBlock(stream, encode(headers), endStream);
  }

  /** A header block in a HEADERS frame and as many CONTINUATION frames as 16 KiB frames need. */
  public void headerBlock(int stream, byte[] block, boolean endStream) throws IOException {
    int max = 16_384;
    int end = endStream ? END_STREAM : 0;
    if (block.length <= max) {
      frame(HEADERS, END_HEADERS | end, stream, block);
      return;
    }
    frame(HEADERS, end, stream, java.util.Arrays.copyOfRange(block, 0, max));
    for (int at = max; at < block.length; at += max) {
      int to = Math.min(block.length, at + max);
      frame(
          CONTINUATION,
          to == block.length ? END_HEADERS : 0,
          stream,
          java.util.Arrays.copyOfRange(block, at, to));
    }
  }

  /** The first SETTINGS frame the server sent (its preface), as identifier → value. */
  public Map<Integer, Long> serverSettings() throws IOException {
    Frame f;
    while ((f = read()) != null) {
      if (f.type() == SETTINGS && !f.has(ACK)) {
        frame(SETTINGS, ACK, 0, new byte[0]);
        Map<Integer, Long> out = new HashMap<>();
        byte[] p = f.payload();
        for (int i = 0; i + 6 <= p.length; i += 6) {
          int id = ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
          long v =
              ((long) (p[i + 2] & 0xff) << 24)
                  | ((p[i + 3] & 0xff) << 16)
                  | ((p[i + 4] & 0xff) << 8)
                  | (p[i + 5] & 0xff);
          out.put(id, v);
        }
        return out;
      }
      onFrame(f);
    }
    throw new IOException("connection closed before the server's SETTINGS");
  }

  public void data(int stream, byte[] bytes, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, stream, bytes);
  }

  public void rst(int stream, int code) throws IOException {
    frame(RST_STREAM, 0, stream, int32(code));
  }

  static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  /**
   * The next frame, or null when the connection closed.
   *
   * @throws SocketTimeoutException when nothing came for 10 seconds (a hang guard)
   */
  public Frame read() throws IOException {
    byte[] head = new byte[9];
    try {
      in.readFully(head);
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (EOFException e) {
      return null;
    } catch (IOException e) {
      // reset by the peer
      return null;
    }
    int len = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
    int stream =
        ((head[5] & 0x7f) << 24)
            | ((head[6] & 0xff) << 16)
            | ((head[7] & 0xff) << 8)
            | (head[8] & 0xff);
    byte[] payload = new byte[len];
    try {
      in.readFully(payload);
    } catch (IOException e) {
      return null;
    }
    return new Frame(head[3] & 0xff, head[4] & 0xff, stream, payload);
  }

  /** What has arrived on one stream so far. */
  private static final class Partial {
    Http2Headers head;
    Http2Headers trailers;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteArrayOutputStream block;
    int blockFlags;
  }

  private final Map<Integer, Partial> open = new HashMap<>();
  private final Map<Integer, Response> finished = new HashMap<>();
  private int goAwayCode = -1;

  /**
   * Reads until {@code stream} ends (END_STREAM, RST_STREAM, GOAWAY or a close), answering SETTINGS
   * and PING and giving back flow-control credit for what arrived. Frames of other streams are kept
   * for their own {@code await}.
   */
  public Response await(int stream) throws IOException {
    while (!finished.containsKey(stream)) {
      Frame f = read();
      if (f == null || goAwayCode >= 0 && f.type() == GOAWAY) {
        Partial p = open.remove(stream);
        return p == null
            ? new Response(0, null, new byte[0], null, -1, goAwayCode)
            : new Response(0, p.head, p.body.toByteArray(), p.trailers, -1, goAwayCode);
      }
      onFrame(f);
      if (goAwayCode >= 0 && !finished.containsKey(stream)) {
        Partial p = open.remove(stream);
        return new Response(
            0,
            p == null ? null : p.head,
            p == null ? new byte[0] : p.body.toByteArray(),
            null,
            -1,
            goAwayCode);
      }
    }
    return finished.remove(stream);
  }

  private void onFrame(Frame f) throws IOException {
    switch (f.type()) {
      case SETTINGS -> {
        if (!f.has(ACK)) {
          frame(SETTINGS, ACK, 0, new byte[0]);
        }
      }
      case PING -> {
        if (!f.has(ACK)) {
          frame(PING, ACK, 0, f.payload());
        }
      }
      case GOAWAY -> goAwayCode = f.errorCode();
      case HEADERS, CONTINUATION -> {
        Partial p = open.computeIfAbsent(f.stream(), k -> new Partial());
        if (f.type() == HEADERS) {
          p.block = new ByteArrayOutputStream();
          p.blockFlags = f.flags();
        }
        p.block.writeBytes(f.payload());
        if (f.has(END_HEADERS)) {
          Http2Headers decoded = decode(p.block.toByteArray());
          if (p.head == null || isInformational(p.head)) {
            p.head = decoded;
          } else {
            p.trailers = decoded;
          }
          if ((p.blockFlags & END_STREAM) != 0 && !isInformational(decoded)) {
            finish(f.stream(), -1);
          }
        }
      }
      case DATA -> {
        if (f.payload().length > 0) {
          frame(WINDOW_UPDATE, 0, 0, int32(f.payload().length));
          if (!f.has(END_STREAM)) {
            frame(WINDOW_UPDATE, 0, f.stream(), int32(f.payload().length));
          }
        }
        Partial p = open.computeIfAbsent(f.stream(), k -> new Partial());
        p.body.writeBytes(f.payload());
        if (f.has(END_STREAM)) {
          finish(f.stream(), -1);
        }
      }
      case RST_STREAM -> finish(f.stream(), f.errorCode());
      default -> {}
    }
  }

  private void finish(int stream, int reset) {
    Partial p = open.remove(stream);
    if (p == null) {
      p = new Partial();
    }
    int status =
        p.head == null || p.head.status() == null
            ? 0
            : Integer.parseInt(p.head.status().toString());
    finished.put(stream, new Response(status, p.head, p.body.toByteArray(), p.trailers, reset, -1));
  }

  private static boolean isInformational(Http2Headers h) {
    CharSequence s = h.status();
    return s != null && s.length() == 3 && s.charAt(0) == '1';
  }

  private Http2Headers decode(byte[] block) throws IOException {
    ByteBuf buf = Unpooled.wrappedBuffer(block);
    try {
      return decoder.decodeHeaders(0, buf);
    } catch (Http2Exception e) {
      throw new IOException(e);
    } finally {
      buf.release();
    }
  }

  /**
   * Reads until the server ends the connection.
   *
   * @return the error code of the first GOAWAY it sent, or -1 when it closed without one
   * @throws SocketTimeoutException when the connection stays open (a hang guard)
   */
  public int awaitClose() throws IOException {
    int goAway = -1;
    Frame f;
    while ((f = read()) != null) {
      if (f.type() == GOAWAY && goAway < 0) {
        goAway = f.errorCode();
      }
    }
    return goAway;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
