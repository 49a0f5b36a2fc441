package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.proxy.h2.RawH2;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that an HTTP/2 → HTTP/1.1 downgrade could turn into two requests (or into a request
 * nothing decided on), each sent as raw frames. Each must be refused before it reaches the
 * upstream: the stream is reset with PROTOCOL_ERROR (Envoy, by default, ends the whole connection
 * with the same error; see docs/known-divergences.md) or, for a target that is no path, 400.
 */
class Http2SmugglingTest {
  private static final int PROTOCOL_ERROR = 0x1;

  private static TestUpstream upstream;
  private static ProxyHarness proxy;

  @BeforeAll
  static void start() throws IOException {
    upstream = new TestUpstream();
    proxy = new ProxyHarness(upstream.target());
  }

  @AfterAll
  static void stop() {
    proxy.close();
    upstream.close();
  }

  @BeforeEach
  void clear() {
    upstream.received.clear();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  private static byte[] pseudo(String method, String path) {
    return RawH2.literals(":method", method, ":scheme", "http", ":authority", "a", ":path", path);
  }

  /** Sends {@code block} on stream 1 (with {@code body} if any) and expects a refusal. */
  private static void assertRefused(byte[] block, byte[] body) throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      h2.headerBlock(1, block, body == null);
      if (body != null) {
        try {
          h2.data(1, body, true);
        } catch (IOException closed) {
          // the connection may already be gone
        }
      }
      RawH2.Response r = h2.await(1);
      boolean reset = r.reset() == PROTOCOL_ERROR || r.goAway() == PROTOCOL_ERROR;
      assertThat(reset || r.status() == 400)
          .as("refused (reset %d, goaway %d, status %d)", r.reset(), r.goAway(), r.status())
          .isTrue();
      if (r.goAway() < 0) {
        // the connection itself is still good for a proper request
        h2.headers(3, RawH2.request("GET", "a", "/after", List.of()), true);
        assertThat(h2.await(3).status()).isEqualTo(200);
        TestUpstream.Received after = upstream.received.poll(5, TimeUnit.SECONDS);
        assertThat(after.uri()).isEqualTo("/after");
      }
    }
    assertThat(upstream.received.poll(200, TimeUnit.MILLISECONDS))
        .as("nothing of the refused request reached the upstream")
        .isNull();
  }

  @Test
  void dataLongerThanContentLength() throws Exception {
    assertRefused(
        concat(pseudo("POST", "/cl"), RawH2.literal("content-length", "5")),
        "0123456789GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void dataShorterThanContentLength() throws Exception {
    assertRefused(
        concat(pseudo("POST", "/cl"), RawH2.literal("content-length", "100")),
        "short".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void contentLengthWithoutData() throws Exception {
    assertRefused(concat(pseudo("POST", "/cl"), RawH2.literal("content-length", "10")), null);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "transfer-encoding=chunked",
        "connection=close",
        "keep-alive=timeout=5",
        "proxy-connection=keep-alive",
        "upgrade=websocket",
        "te=gzip",
        "X-Upper=1",
        "Content-Length=0",
      })
  void connectionSpecificOrUppercaseHeader(String header) throws Exception {
    int eq = header.indexOf('=');
    assertRefused(
        concat(
            pseudo("GET", "/h"), RawH2.literal(header.substring(0, eq), header.substring(eq + 1))),
        null);
  }

  @Test
  void teTrailersIsAllowed() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      h2.headerBlock(1, concat(pseudo("GET", "/te"), RawH2.literal("te", "trailers")), true);
      assertThat(h2.await(1).status()).isEqualTo(200);
    }
    TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
    assertThat(got.header("te")).isNull();
  }

  @Test
  void pseudoHeaderAfterRegularHeader() throws Exception {
    assertRefused(
        RawH2.literals(
            ":method", "GET", ":scheme", "http", "x-a", "1", ":path", "/late", ":authority", "a"),
        null);
  }

  @Test
  void duplicatedPath() throws Exception {
    assertRefused(concat(pseudo("GET", "/one"), RawH2.literal(":path", "/two")), null);
  }

  @Test
  void duplicatedMethod() throws Exception {
    assertRefused(concat(pseudo("GET", "/m"), RawH2.literal(":method", "POST")), null);
  }

  @Test
  void missingPath() throws Exception {
    assertRefused(RawH2.literals(":method", "GET", ":scheme", "http", ":authority", "a"), null);
  }

  @Test
  void missingMethod() throws Exception {
    assertRefused(RawH2.literals(":scheme", "http", ":authority", "a", ":path", "/"), null);
  }

  @Test
  void unknownPseudoHeader() throws Exception {
    assertRefused(concat(pseudo("GET", "/u"), RawH2.literal(":foo", "bar")), null);
  }

  @Test
  void responsePseudoHeaderInARequest() throws Exception {
    assertRefused(concat(pseudo("GET", "/s"), RawH2.literal(":status", "200")), null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"relative", "http://a/abs", "", "*x"})
  void pathNotStartingWithSlash(String path) throws Exception {
    assertRefused(pseudo("GET", path), null);
  }

  @Test
  void pathWithSpaceOrControlCharacter() throws Exception {
    assertRefused(pseudo("GET", "/a b HTTP/1.1\r\nHost: x\r\n\r\nGET /smuggled"), null);
  }

  @Test
  void headerValueWithCrLf() throws Exception {
    assertRefused(concat(pseudo("GET", "/v"), RawH2.literal("x-a", "1\r\nx-injected: yes")), null);
  }

  @Test
  void headerNameWithColonOrSpace() throws Exception {
    assertRefused(concat(pseudo("GET", "/n"), RawH2.literal("x a", "1")), null);
  }

  @Test
  void emptyAuthorityAndNoHostIsAnsweredAsOverHttp11() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      h2.headerBlock(1, RawH2.literals(":method", "GET", ":scheme", "http", ":path", "/"), true);
      assertThat(h2.await(1).status()).isEqualTo(400);
    }
  }

  @Test
  void twoRequestsInOneStreamAreNotTwoRequests() throws Exception {
    // a second HEADERS after END_STREAM on the same stream is a protocol violation
    try (RawH2 h2 = RawH2.plain(proxy.address())) {
      h2.headerBlock(1, pseudo("GET", "/first"), true);
      h2.headerBlock(1, pseudo("GET", "/second"), true);
      h2.await(1);
    }
    List<String> seen = new java.util.ArrayList<>();
    TestUpstream.Received r;
    while ((r = upstream.received.poll(500, TimeUnit.MILLISECONDS)) != null) {
      seen.add(r.uri());
    }
    assertThat(seen).doesNotContain("/second");
  }

  static Map.Entry<String, String> h(String n, String v) {
    return Map.entry(n, v);
  }
}
