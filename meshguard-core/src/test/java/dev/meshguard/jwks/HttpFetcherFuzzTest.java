package dev.meshguard.jwks;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever an endpoint answers, the client ends with a response or a {@link FetchException}: no
 * other exception, no hang past the deadline, never more than the body limit.
 */
class HttpFetcherFuzzTest {
  private static final RemoteJwksOptions OPTIONS = RemoteJwksOptions.defaults();
  private static final int LIMIT = 512;

  private final HttpFetcher fetcher =
      new HttpFetcher(AddressPolicy.of(OPTIONS), InetAddress::getAllByName);

  @Property(tries = 150)
  void anyAnswerEndsInAResponseOrAFetchException(@ForAll("answers") byte[] answer)
      throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread thread = new Thread(() -> answerOnce(server, answer));
      thread.setDaemon(true);
      thread.start();
      Route route =
          new RouteResolver(MeshConfig.empty(), OPTIONS)
              .resolve("http://127.0.0.1:" + server.getLocalPort() + "/jwks");
      try {
        HttpFetcher.Response response = fetcher.get(route, Duration.ofSeconds(2), LIMIT);
        if (response.body() != null) {
          assertThat(response.body().length).isLessThanOrEqualTo(LIMIT);
          assertThat(response.status()).isBetween(200, 299);
        }
      } catch (FetchException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  @Provide
  Arbitrary<byte[]> answers() {
    Arbitrary<String> status =
        Arbitraries.of(
            "HTTP/1.1 200 OK",
            "HTTP/1.0 200",
            "HTTP/1.1 500 x",
            "HTTP/2 200",
            "200 OK",
            "HTTP/1.1 -1 x",
            "HTTP/1.1 99999999999 x",
            "");
    Arbitrary<String> header =
        Arbitraries.oneOf(
            Arbitraries.integers().between(-5, 5000).map(n -> "Content-Length: " + n),
            Arbitraries.of(
                "Transfer-Encoding: chunked",
                "Transfer-Encoding: gzip",
                "Content-Length: abc",
                "Content-Length: 99999999999999999999",
                "X-Empty:",
                ": no name",
                "no colon"),
            Arbitraries.strings().ofMaxLength(40).map(s -> "X-Fuzz: " + s));
    Arbitrary<String> body =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(1200),
            Combinators.combine(
                    Arbitraries.integers().between(0, 800).map(Integer::toHexString),
                    Arbitraries.strings().ofMaxLength(800))
                .as((size, data) -> size + "\r\n" + data + "\r\n0\r\n\r\n"),
            Arbitraries.of("zz\r\n", "-1\r\n", "5;ext=1\r\nhello\r\n0\r\n\r\n", "ffffffffff\r\n"));
    Arbitrary<String> structured =
        Combinators.combine(status, header.list().ofMaxSize(4), body)
            .as((s, h, b) -> s + "\r\n" + String.join("\r\n", h) + "\r\n\r\n" + b);
    Arbitrary<String> lineFeedsOnly = structured.map(s -> s.replace("\r\n", "\n"));
    return Arbitraries.oneOf(
            structured,
            lineFeedsOnly,
            Arbitraries.strings().ofMaxLength(300),
            Arbitraries.of("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(200) + "\r\n"))
        .map(s -> s.getBytes(ISO_8859_1));
  }

  private static void answerOnce(ServerSocket server, byte[] answer) {
    try (Socket client = server.accept()) {
      InputStream in = client.getInputStream();
      int state = 0;
      while (state < 4) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
      }
      OutputStream out = client.getOutputStream();
      out.write(answer);
      out.flush();
    } catch (IOException e) {
      // the client gave up first
    }
  }
}
