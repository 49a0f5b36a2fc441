package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the real `serve` does when things go wrong: malformed requests, an upstream that is down or
 * slow, and SIGTERM with a request in flight.
 */
@SuppressWarnings("StringConcatToTextBlock") // requests are CRLF wire text
class ServeResilienceIT {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String BIG = "a".repeat(70 * 1024);

  @TempDir Path dir;

  private Path emptyConfig() throws Exception {
    Path config = dir.resolve("none.yaml");
    Files.writeString(config, "# no policies: everything is allowed\n");
    return config;
  }

  private MeshguardProcess serve(String upstream, String... extra) throws Exception {
    String[] base = {
      "serve",
      "--config",
      emptyConfig().toString(),
      "--upstream",
      upstream,
      "--listen",
      "127.0.0.1:0",
      "--access-log",
      "off"
    };
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return MeshguardProcess.start(all);
  }

  private static HttpResponse<String> get(InetSocketAddress proxy, String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void malformedRequestsAreAnswered400Or431Or414AndNeverForwarded() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
        MeshguardProcess serve = serve(upstream.url())) {
      InetSocketAddress proxy = serve.listenAddress();
      String[][] matrix = {
        {"GET /x HTTP/1.1\r\nHost: a\r\nX-Role: adm\0in\r\n\r\n", "400"},
        {"GET /x HTTP/1.1\r\nHost: a\r\nX-Role: adm\rin\r\n\r\n", "400"},
        {"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400"},
        {
          "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "0\r\n\r\n",
          "400"
        },
        {"GET /x HTTP/1.1 junk\r\nHost: a\r\n\r\n", "400"},
        {"NOT A REQUEST\r\n\r\n", "400"},
        {"GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + BIG + "\r\n\r\n", "431"},
        {"GET /" + BIG + " HTTP/1.1\r\nHost: a\r\n\r\n", "414"},
      };
      for (String[] row : matrix) {
        RawHttp.Response r = RawHttp.exchange(proxy, row[0]);
        assertThat(r.status())
            .as(row[0].substring(0, Math.min(40, row[0].length())))
            .isEqualTo(Integer.parseInt(row[1]));
        assertThat(r.header("connection")).isEqualTo("close");
      }
      // a well-formed request afterwards still works, and it is the only one upstream saw
      assertThat(get(proxy, "/fine").statusCode()).isEqualTo(200);
      assertThat(upstream.received).hasSize(1);
      assertThat(upstream.received.peek().get("uri").asText()).isEqualTo("/fine");
      assertThat(serve.terminate()).isZero();
    }
  }

  @Test
  void upstreamDownGives503WithEnvoysText() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (MeshguardProcess serve = serve("http://127.0.0.1:" + closedPort)) {
      HttpResponse<String> r = get(serve.listenAddress(), "/x");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body())
          .startsWith("upstream connect error or disconnect/reset before headers. reset reason:");
      assertThat(r.headers().firstValue("content-type")).hasValue("text/plain");
      assertThat(serve.terminate()).isZero();
    }
  }

  @Test
  void slowUpstreamGives504AfterTheRequestTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (EchoUpstream upstream = new EchoUpstream();
        MeshguardProcess serve = serve(upstream.url(), "--request-timeout", "300ms")) {
      upstream.handle(
          "/slow",
          ex -> {
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
          });
      HttpResponse<String> r = get(serve.listenAddress(), "/slow");
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(r.body()).isEqualTo("upstream request timeout");
      release.countDown();
      assertThat(serve.terminate()).isZero();
    } finally {
      release.countDown();
    }
  }

  @Test
  void sigtermLetsTheInFlightRequestFinishThenExits0() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (EchoUpstream upstream = new EchoUpstream();
        MeshguardProcess serve = serve(upstream.url(), "--admin", "127.0.0.1:0")) {
      upstream.handle(
          "/inflight",
          ex -> {
            arrived.countDown();
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            byte[] body = "finished".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
          });
      InetSocketAddress proxy = serve.listenAddress();
      InetSocketAddress admin = serve.adminAddress();
      CompletableFuture<HttpResponse<String>> inflight =
          CLIENT.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + proxy.getPort() + "/inflight"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.await(60, TimeUnit.SECONDS)).isTrue();
      serve.sigterm();
      serve.awaitStderr(l -> l.contains("stopping"));
      // draining: readiness fails and no new connection is accepted
      assertThat(get(admin, "/healthz/ready").statusCode()).isEqualTo(503);
      release.countDown();
      HttpResponse<String> r = inflight.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("finished");
      assertThat(serve.awaitExit()).isZero();
    } finally {
      release.countDown();
    }
  }
}
