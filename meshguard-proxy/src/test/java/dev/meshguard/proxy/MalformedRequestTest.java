package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.runtime.MeshguardMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests the proxy must refuse before deciding them (security rows 2 and 26, request smuggling):
 * each gets Envoy's 400/414/426/431/501, the connection closes, and nothing reaches the engine or
 * the upstream. Runs the production client pipeline in an {@link EmbeddedChannel}, without sockets.
 */
@SuppressWarnings("StringConcatToTextBlock") // requests are CRLF wire text
class MalformedRequestTest {
  private static final String BIG = "a".repeat(70 * 1024);

  /** The requests decided: any entry means the request went further. */
  private static final List<CheckRequest> decisions = new CopyOnWriteArrayList<>();

  private static ProxyRuntime runtime;

  @BeforeAll
  static void runtime() throws IOException {
    ProxyOptions options =
        ProxyOptions.builder(
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                UpstreamTarget.parse("http://127.0.0.1:9"))
            .build();
    runtime =
        new ProxyRuntime(
            options,
            new UpstreamPool(options),
            TestDecisions::emptySnapshot,
            (s, r) -> {
              decisions.add(r);
              return TestDecisions.byPath(s, r);
            },
            new MeshguardMetrics(),
            AccessLog.off(),
            null);
  }

  @AfterAll
  static void clear() {
    decisions.clear();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of(
            "NUL in a header value", "GET /x HTTP/1.1\r\nHost: a\r\nX-Role: adm\0in\r\n\r\n", 400),
        Arguments.of(
            "CR in a header value", "GET /x HTTP/1.1\r\nHost: a\r\nX-Role: adm\rin\r\n\r\n", 400),
        Arguments.of("bare LF line ends", "GET /x HTTP/1.1\nHost: a\n\n", 400),
        Arguments.of(
            "conflicting Content-Length",
            "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            400),
        Arguments.of(
            "Content-Length list",
            "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n",
            400),
        Arguments.of(
            "Content-Length with Transfer-Encoding",
            "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n",
            400),
        // Envoy's codec: any Transfer-Encoding but exactly `chunked` is 501
        Arguments.of(
            "final coding not chunked",
            "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
            501),
        Arguments.of(
            "a coding before chunked",
            "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501),
        Arguments.of(
            "chunked twice",
            "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            501),
        Arguments.of(
            "identity before chunked",
            "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity,chunked\r\n\r\n0\r\n\r\n",
            501),
        Arguments.of(
            "more than 100 headers",
            "GET /x HTTP/1.1\r\nHost: a\r\n" + "x: y\r\n".repeat(100) + "\r\n",
            431),
        Arguments.of("HTTP/1.0 without Host", "GET /x HTTP/1.0\r\n\r\n", 426),
        Arguments.of(
            "absolute-form with a control character",
            "GET http://a\u0001b/x HTTP/1.1\r\nHost: a\r\n\r\n",
            400),
        Arguments.of(
            "Connection nominating x-forwarded-for",
            "GET /x HTTP/1.1\r\nHost: a\r\nConnection: x-forwarded-for\r\n\r\n",
            400),
        Arguments.of(
            "Transfer-Encoding in HTTP/1.0",
            "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400),
        Arguments.of(
            "extra word in the request line", "GET /x HTTP/1.1 extra\r\nHost: a\r\n\r\n", 400),
        Arguments.of("no version", "GARBAGE\r\n\r\n", 400),
        Arguments.of("unknown version", "GET /x HTTP/9.9\r\nHost: a\r\n\r\n", 400),
        Arguments.of("lower-case method", "get /x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of(
            "space in a header name", "GET /x HTTP/1.1\r\nHost: a\r\nX Role: v\r\n\r\n", 400),
        Arguments.of("missing Host", "GET /x HTTP/1.1\r\n\r\n", 400),
        Arguments.of("two Host headers", "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        Arguments.of("target without a slash", "GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 400),
        Arguments.of(
            "absolute-form with user info", "GET http://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of(
            "oversized headers", "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + BIG + "\r\n\r\n", 431),
        Arguments.of("over-long URI", "GET /" + BIG + " HTTP/1.1\r\nHost: a\r\n\r\n", 414));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void isRefusedBeforeDecidingAndTheConnectionCloses(String what, String request, int status) {
    decisions.clear();
    EmbeddedChannel ch = new EmbeddedChannel();
    ProxyServer.initClientPipeline(
        ch.pipeline(), runtime, ProxyServer.decoderConfig(runtime.options));
    ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    ch.runPendingTasks();
    String response = outbound(ch);
    assertThat(response).startsWith("HTTP/1.1 " + status + " ");
    assertThat(response.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
    assertThat(ch.isOpen()).as("closed after the answer").isFalse();
    assertThat(decisions).as("never decided, never forwarded").isEmpty();
    ch.finishAndReleaseAll();
  }

  private static String outbound(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      sb.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return sb.toString();
  }
}
