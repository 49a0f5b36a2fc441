package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.proxy.h2.RawH2;
import dev.meshguard.proxy.testing.TestH2Upstream;
import dev.meshguard.testing.MeshCa;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `--upstream h2c://…` and `h2://…`: HTTP/2 to the upstream, over TLS with a private CA. */
class Http2UpstreamTest {
  @TempDir static Path dir;
  private static MeshCa ca;
  private static MeshCa otherCa;
  private static Path caPem;
  private static MeshCa.Issued server;
  private static Path clientCrt;
  private static Path clientKey;

  @BeforeAll
  static void pki() throws Exception {
    ca = MeshCa.create("meshguard test upstream CA");
    otherCa = MeshCa.create("someone else");
    caPem = ca.writeCaPem(dir);
    server = ca.issueServer(List.of("upstream.test"), List.of("127.0.0.1"));
    MeshCa.Issued client = ca.issue("meshguard-proxy", List.of(), List.of());
    clientCrt = client.writeChainPem(dir);
    clientKey = client.writeKeyPem(dir);
  }

  private static SslContext upstreamTls(MeshCa signer, boolean requireClientCert) throws Exception {
    MeshCa.Issued cert =
        signer == ca ? server : signer.issueServer(List.of("upstream.test"), List.of("127.0.0.1"));
    SslContextBuilder b =
        ListenerTls.withAlpn(SslContextBuilder.forServer(cert.key(), cert.certificate()));
    if (requireClientCert) {
      b.trustManager(ca.certificate()).clientAuth(ClientAuth.REQUIRE);
    }
    return b.build();
  }

  private static ProxyHarness proxy(String upstream, UpstreamTls tls) throws Exception {
    return new ProxyHarness(
        UpstreamTarget.parse(upstream), TestDecisions::byPath, b -> b.upstreamTls(tls));
  }

  @Test
  void h2cUpstreamGetsTheRequestAndAnHttp11ClientItsAnswer() throws Exception {
    try (TestH2Upstream up = new TestH2Upstream(null);
        ProxyHarness proxy = proxy("h2c://127.0.0.1:" + up.port(), UpstreamTls.DEFAULTS)) {
      HttpResponse<String> r =
          proxy.client.send(
              HttpRequest.newBuilder(URI.create(proxy.url("/post?q=1")))
                  .POST(HttpRequest.BodyPublishers.ofString("payload"))
                  .header("x-user", "alice")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("echo:payload");
      assertThat(r.headers().firstValue("x-upstream")).hasValue("h2");
      assertThat(r.headers().firstValue("x-http2-stream-id")).isEmpty();
      TestH2Upstream.Received got = up.received.poll(5, TimeUnit.SECONDS);
      assertThat(got.method()).isEqualTo("POST");
      assertThat(got.path()).isEqualTo("/post?q=1");
      assertThat(got.headers()).containsEntry("x-user", "alice");
      assertThat(got.headers()).containsKey("x-forwarded-for");
      assertThat(got.headers()).doesNotContainKeys("connection", "transfer-encoding");
      // denials never reach it
      assertThat(proxy.get("/deny").statusCode()).isEqualTo(403);
      assertThat(up.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void trailersCrossFromHttp2ToHttp2() throws Exception {
    try (TestH2Upstream up = new TestH2Upstream(null);
        ProxyHarness proxy = proxy("h2c://127.0.0.1:" + up.port(), UpstreamTls.DEFAULTS);
        RawH2 h2 = RawH2.plain(proxy.address())) {
      for (int s = 1; s <= 5; s += 2) {
        h2.headers(s, RawH2.request("GET", "api.test", "/t" + s, List.of()), true);
        RawH2.Response r = h2.await(s);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("echo:");
        assertThat(r.trailers()).isNotNull();
        assertThat(r.trailers().get("x-trailer").toString()).isEqualTo("done");
      }
    }
  }

  @Test
  void h2OverTlsWithAPrivateCa() throws Exception {
    try (TestH2Upstream up = new TestH2Upstream(upstreamTls(ca, false));
        ProxyHarness byName =
            proxy(
                "h2://127.0.0.1:" + up.port(),
                new UpstreamTls(caPem, "upstream.test", null, null));
        ProxyHarness byAddress =
            proxy("h2://127.0.0.1:" + up.port(), new UpstreamTls(caPem, null, null, null))) {
      assertThat(byName.get("/tls").statusCode()).isEqualTo(200);
      assertThat(up.received.poll(5, TimeUnit.SECONDS).path()).isEqualTo("/tls");
      assertThat(byAddress.get("/ip").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anUpstreamTheCaDidNotSignOrAWrongNameIsNotTrusted() throws Exception {
    try (TestH2Upstream stranger = new TestH2Upstream(upstreamTls(otherCa, false));
        ProxyHarness proxy =
            proxy(
                "h2://127.0.0.1:" + stranger.port(),
                new UpstreamTls(caPem, "upstream.test", null, null))) {
      assertThat(proxy.get("/x").statusCode()).isEqualTo(503);
      assertThat(stranger.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }
    try (TestH2Upstream up = new TestH2Upstream(upstreamTls(ca, false));
        ProxyHarness proxy =
            proxy(
                "h2://127.0.0.1:" + up.port(), new UpstreamTls(caPem, "other.test", null, null))) {
      assertThat(proxy.get("/x").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void upstreamMutualTls() throws Exception {
    Path key = clientKey;
    try (TestH2Upstream up = new TestH2Upstream(upstreamTls(ca, true));
        ProxyHarness withCert =
            proxy(
                "h2://127.0.0.1:" + up.port(),
                new UpstreamTls(caPem, "upstream.test", clientCrt, key));
        ProxyHarness withoutCert =
            proxy(
                "h2://127.0.0.1:" + up.port(),
                new UpstreamTls(caPem, "upstream.test", null, null))) {
      assertThat(withCert.get("/mtls").statusCode()).isEqualTo(200);
      assertThat(up.received.poll(5, TimeUnit.SECONDS).clientCert())
          .isEqualTo("CN=meshguard-proxy");
      assertThat(withoutCert.get("/mtls").statusCode()).isEqualTo(503);
    }
  }
}
