package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.runtime.Decider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What happens between an allowed decision and the bytes the upstream reads: values that cannot be
 * sent get Envoy's 503 (never an exception that leaves the client waiting), whitespace around a
 * value is dropped, trailers are dropped both ways.
 */
@SuppressWarnings("StringConcatToTextBlock") // requests are CRLF wire text
class UpstreamWritePathTest {
  private TestUpstream upstream;

  @BeforeEach
  void start() throws IOException {
    upstream = new TestUpstream();
  }

  @AfterEach
  void stop() {
    upstream.close();
  }

  /** Allows every request, adding {@code added} and forwarding to {@code path}. */
  private static Decider adding(String path, List<Map.Entry<String, String>> added) {
    return (PolicySnapshot s, CheckRequest r) ->
        new Decision(
            200,
            true,
            Decision.Outcome.ALLOWED,
            "allowed",
            null,
            "iss/sub",
            JwtStatus.OK,
            null,
            List.of(),
            new Decision.UpstreamRewrite(path, List.of(), added),
            List.of());
  }

  private RawHttp.Response get(ProxyHarness p, String path) throws IOException {
    try (RawHttp c = p.raw()) {
      c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
      return c.read();
    }
  }

  @Test
  void aValueThatCannotBeSentIs503WithEnvoysReasonAndTheConnectionStaysUsable() throws Exception {
    for (String value :
        new String[] {"a\r\nx-injected: 1", "a\nb", "a\u0000b", "a\u007f", "\u0001"}) {
      try (ProxyHarness p =
              new ProxyHarness(
                  upstream.target(), adding("/x", List.of(Map.entry("x-claim", value))), b -> {});
          RawHttp c = p.raw()) {
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        RawHttp.Response r = c.read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.text()).isEqualTo("invalid header value for: x-claim");
        assertThat(r.header("connection")).as("nothing unread: keep-alive").isNull();
        AccessLogEntry entry = p.log.poll(5, TimeUnit.SECONDS);
        assertThat(entry.upstreamFailure()).isEqualTo("INVALID_REQUEST");
        assertThat(entry.toString()).doesNotContain("x-injected");
      }
    }
    assertThat(upstream.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void anInvalidHeaderNameIs503() throws Exception {
    try (ProxyHarness p =
        new ProxyHarness(
            upstream.target(), adding("/x", List.of(Map.entry("x claim\n", "v"))), b -> {})) {
      RawHttp.Response r = get(p, "/x");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.text()).isEqualTo("invalid header name: x claim\\u000a");
    }
    assertThat(upstream.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aPathThatCannotBeARequestTargetIs503() throws Exception {
    for (String path : new String[] {"relative", "/a b", "/a\r\nx: y", ""}) {
      try (ProxyHarness p = new ProxyHarness(upstream.target(), adding(path, List.of()), b -> {})) {
        assertThat(get(p, "/x").status()).as(path).isEqualTo(503);
      }
    }
    assertThat(upstream.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aBugOnTheWayUpstreamStillAnswersTheClient() throws Exception {
    // a rewrite without a path: the request cannot be prepared (NullPointerException inside)
    try (ProxyHarness p = new ProxyHarness(upstream.target(), adding(null, List.of()), b -> {})) {
      RawHttp.Response r = get(p, "/x");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.text()).isEqualTo("upstream request could not be sent");
    }
    assertThat(upstream.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void surroundingWhitespaceIsDroppedAndTextGoesOutAsUtf8() throws Exception {
    try (ProxyHarness p =
        new ProxyHarness(
            upstream.target(),
            adding("/x", List.of(Map.entry("x-a", "  admin\t"), Map.entry("x-b", "José 日本"))),
            b -> {})) {
      assertThat(get(p, "/x").status()).isEqualTo(200);
    }
    TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
    assertThat(got.header("x-a")).isEqualTo("admin");
    assertThat(got.header("x-b"))
        .as("the JDK server reads header bytes as ISO-8859-1")
        .isEqualTo(
            new String("José 日本".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
  }

  @Test
  void trailersAreDroppedInBothDirections() throws Exception {
    try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> received =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = raw.accept()) {
                  String request = readUntil(s.getInputStream(), "\r\n0\r\n");
                  String line;
                  do {
                    line = readUntil(s.getInputStream(), "\r\n");
                    request += line;
                  } while (!line.equals("\r\n"));
                  s.getOutputStream()
                      .write(
                          ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  + "2\r\nok\r\n0\r\nx-upstream-trailer: leaked\r\n\r\n")
                              .getBytes(StandardCharsets.ISO_8859_1));
                  s.getOutputStream().flush();
                  return request;
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      try (ProxyHarness p =
              new ProxyHarness(
                  UpstreamTarget.parse("http://127.0.0.1:" + raw.getLocalPort()),
                  TestDecisions::byPath,
                  b -> {});
          RawHttp c = p.raw()) {
        c.send(
            "POST /t HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\nauthorization: Bearer forged\r\nx-jwt-sub: admin\r\n\r\n");
        String response = readUntil(c.in, "\r\n0\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 ").contains("\r\n2\r\nok\r\n");
        assertThat(c.line()).as("no trailer after the last chunk").isEmpty();
      }
      String request = received.get(10, TimeUnit.SECONDS);
      assertThat(request).contains("hello").endsWith("\r\n0\r\n\r\n");
      assertThat(request).doesNotContain("forged").doesNotContain("x-jwt-sub");
    }
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      seen.write(c);
      if (seen.toString(StandardCharsets.ISO_8859_1).endsWith(marker)) {
        break;
      }
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }
}
