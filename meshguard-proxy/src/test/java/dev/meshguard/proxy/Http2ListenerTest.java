package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.proxy.h2.RawH2;
import dev.meshguard.runtime.MeshguardMetrics;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 on the listener: h2c with prior knowledge and by `Upgrade: h2c` on the plain listener,
 * ALPN `h2` on the TLS one; the engine sees the same request as over HTTP/1.1.
 */
class Http2ListenerTest {
  private static TestUpstream upstream;
  private static ProxyServer plain;
  private static ProxyServer tls;
  private static SelfSignedCertificate cert;
  private static final BlockingQueue<CheckRequest> seen = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    cert = new SelfSignedCertificate("gateway.test");
    SslContext server =
        ListenerTls.withAlpn(SslContextBuilder.forServer(cert.certificate(), cert.privateKey()))
            .build();
    plain = start(null);
    tls = start(server);
  }

  private static ProxyServer start(SslContext serverTls) throws Exception {
    return ProxyServer.start(
        ProxyOptions.builder(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstream.target())
            .ioThreads(1)
            .build(),
        TestDecisions::emptySnapshot,
        (s, r) -> {
          seen.add(r);
          return TestDecisions.byPath(s, r);
        },
        new MeshguardMetrics(),
        AccessLog.off(),
        serverTls);
  }

  @AfterAll
  static void stop() {
    plain.close();
    tls.close();
    upstream.close();
    cert.delete();
  }

  @Test
  void priorKnowledgeRequestIsDecidedAndForwarded() throws Exception {
    seen.clear();
    upstream.received.clear();
    try (RawH2 h2 = RawH2.plain(plain.address())) {
      h2.headers(
          1,
          RawH2.request("GET", "api.test", "/items?x=1", List.of(Map.entry("x-user", "alice"))),
          true);
      RawH2.Response r = h2.await(1);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("x-upstream").toString()).isEqualTo("echo");
      assertThat(r.headers().contains("connection")).isFalse();
    }
    CheckRequest check = seen.poll(5, TimeUnit.SECONDS);
    assertThat(check.method()).isEqualTo("GET");
    assertThat(check.host()).isEqualTo("api.test");
    assertThat(check.rawPath()).isEqualTo("/items?x=1");
    assertThat(check.headers().joined("x-user")).isEqualTo("alice");
    assertThat(check.headers().joined("x-http2-stream-id")).isNull();
    assertThat(check.headers().joined("x-http2-scheme")).isNull();
    TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
    assertThat(got.uri()).isEqualTo("/items?x=1");
    assertThat(got.header("host")).isEqualTo("api.test");
    assertThat(got.header("x-user")).isEqualTo("alice");
    assertThat(got.header("x-http2-stream-id")).isNull();
  }

  @Test
  void deniedStreamGetsTheDenialAndTheConnectionGoesOn() throws Exception {
    try (RawH2 h2 = RawH2.plain(plain.address())) {
      h2.headers(1, RawH2.request("GET", "api.test", "/jwt", List.of()), true);
      RawH2.Response denied = h2.await(1);
      assertThat(denied.status()).isEqualTo(401);
      assertThat(denied.headers().get("www-authenticate")).isNotNull();
      h2.headers(3, RawH2.request("GET", "api.test", "/deny", List.of()), true);
      RawH2.Response forbidden = h2.await(3);
      assertThat(forbidden.status()).isEqualTo(403);
      assertThat(forbidden.bodyText()).isEqualTo("RBAC: access denied");
      h2.headers(5, RawH2.request("GET", "api.test", "/ok", List.of()), true);
      assertThat(h2.await(5).status()).isEqualTo(200);
    }
  }

  @Test
  void requestBodyIsStreamedToAnHttp11Upstream() throws Exception {
    upstream.received.clear();
    try (RawH2 h2 = RawH2.plain(plain.address())) {
      h2.headers(1, RawH2.request("POST", "api.test", "/upload", List.of()), false);
      h2.data(1, "hello ".getBytes(StandardCharsets.UTF_8), false);
      h2.data(1, "world".getBytes(StandardCharsets.UTF_8), true);
      assertThat(h2.await(1).status()).isEqualTo(200);
    }
    TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.body()).isEqualTo("hello world");
    assertThat(got.header("transfer-encoding")).isEqualTo("chunked");
  }

  @Test
  void streamsAreMultiplexed() throws Exception {
    try (RawH2 h2 = RawH2.plain(plain.address())) {
      for (int s = 1; s <= 19; s += 2) {
        h2.headers(s, RawH2.request("GET", "api.test", "/s" + s, List.of()), true);
      }
      for (int s = 1; s <= 19; s += 2) {
        assertThat(h2.await(s).status()).as("stream %d", s).isEqualTo(200);
      }
    }
  }

  @Test
  void upgradeFromHttp11() throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    String base = "http://127.0.0.1:" + plain.address().getPort();
    HttpResponse<String> first =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/first")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
    HttpResponse<String> denied =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/deny")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  @Test
  void alpnOnTheTlsListener() throws Exception {
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    String base = "https://127.0.0.1:" + tls.address().getPort();
    for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
      seen.clear();
      HttpClient client = HttpClient.newBuilder().version(v).sslContext(trustAll).build();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/tls")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.version()).isEqualTo(v);
      CheckRequest check = seen.poll(5, TimeUnit.SECONDS);
      assertThat(check.scheme()).isEqualTo("https");
      assertThat(check.headers().joined("x-forwarded-proto")).isEqualTo("https");
    }
  }

  @Test
  void plainHttp11StillWorksOnTheAutoListener() throws Exception {
    try (RawHttp raw = new RawHttp(plain.address())) {
      RawHttp.Response response = raw.send("GET /h1 HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(response.status()).isEqualTo(200);
    }
  }
}
