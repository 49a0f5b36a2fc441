package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.runtime.MeshguardMetrics;
import dev.meshguard.testing.MeshCa;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener with a client CA: a verified SPIFFE certificate becomes the request's peer
 * principal, once per connection; XFCC follows the configured mode; no certificate means no
 * identity, or no connection with `require`.
 */
class MutualTlsListenerTest {
  private static final String GATEWAY = "spiffe://cluster.local/ns/istio-system/sa/gateway";
  @TempDir static Path dir;
  private static MeshCa ca;
  private static MeshCa otherCa;
  private static Path serverCert;
  private static Path serverKey;
  private static Path caPem;

  private final BlockingQueue<CheckRequest> seen = new LinkedBlockingQueue<>();
  private TestUpstream upstream;
  private ProxyServer proxy;

  @BeforeAll
  static void pki() {
    ca = MeshCa.create("mesh ca");
    otherCa = MeshCa.create("another ca");
    MeshCa.Issued server = ca.issue("gateway", List.of(GATEWAY), List.of("gateway.test"));
    serverCert = server.writeChainPem(dir);
    serverKey = server.writeKeyPem(dir);
    caPem = ca.writeCaPem(dir);
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private void start(ListenerTls.ClientAuthMode mode, ForwardClientCert xfcc) throws Exception {
    SslContext tls = ListenerTls.build(serverCert, serverKey, caPem, mode);
    upstream = new TestUpstream();
    proxy =
        ProxyServer.start(
            ProxyOptions.builder(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstream.target())
                .forwardClientCert(xfcc)
                .build(),
            TestDecisions::emptySnapshot,
            (s, r) -> {
              seen.add(r);
              return TestDecisions.byPath(s, r);
            },
            new MeshguardMetrics(),
            AccessLog.off(),
            tls);
  }

  /** Two requests on one connection; the status codes. */
  private int[] twoRequests(SSLContext client, String sni, String extraHeader) throws IOException {
    SSLSocket socket =
        (SSLSocket)
            client
                .getSocketFactory()
                .createSocket(proxy.address().getAddress(), proxy.address().getPort());
    if (sni != null) {
      SSLParameters params = socket.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(sni)));
      socket.setSSLParameters(params);
    }
    try (RawHttp http = new RawHttp(socket)) {
      int[] status = new int[2];
      for (int i = 0; i < 2; i++) {
        http.send("GET /ok HTTP/1.1\r\nHost: gateway.test\r\n" + extraHeader + "\r\n");
        RawHttp.Response response = http.read();
        if (response == null) {
          throw new IOException("connection closed without a response");
        }
        status[i] = response.status();
      }
      return status;
    }
  }

  @Test
  void spiffeClientCertificateIsTheSourcePrincipalAndTheUpstreamSeesWhoCalled() throws Exception {
    start(ListenerTls.ClientAuthMode.REQUIRE, ForwardClientCert.SANITIZE_SET);
    MeshCa.Issued good = ca.issueSpiffe("spiffe://cluster.local/ns/foo/sa/good");
    int[] status =
        twoRequests(
            good.clientContext(),
            "gateway.test",
            "x-forwarded-client-cert: URI=spiffe://cluster.local/ns/x/sa/admin\r\n");
    assertThat(status).containsOnly(200);
    for (int i = 0; i < 2; i++) {
      CheckRequest r = seen.poll(5, TimeUnit.SECONDS);
      assertThat(r.sourcePrincipal()).isEqualTo("cluster.local/ns/foo/sa/good");
      assertThat(r.sni()).isEqualTo("gateway.test");
      assertThat(r.scheme()).isEqualTo("https");
      String xfcc = r.headers().joined("x-forwarded-client-cert");
      assertThat(xfcc)
          .startsWith("By=" + GATEWAY + ";Hash=")
          .endsWith(";Subject=\"\";URI=spiffe://cluster.local/ns/foo/sa/good")
          .doesNotContain("admin");
      TestUpstream.Received got = upstream.received.poll(5, TimeUnit.SECONDS);
      assertThat(got.headers("x-forwarded-client-cert")).containsExactly(xfcc);
    }
  }

  @Test
  void appendForwardKeepsThePreviousHopsAndAddsThisOne() throws Exception {
    start(ListenerTls.ClientAuthMode.REQUIRE, ForwardClientCert.APPEND_FORWARD);
    MeshCa.Issued sidecar = ca.issueSpiffe("spiffe://cluster.local/ns/foo/sa/sleep");
    String previous =
        "By=spiffe://cluster.local/ns/foo/sa/sleep;URI=spiffe://cluster.local/ns/a/sa/b";
    twoRequests(sidecar.clientContext(), null, "x-forwarded-client-cert: " + previous + "\r\n");
    String xfcc = upstream.received.poll(5, TimeUnit.SECONDS).header("x-forwarded-client-cert");
    assertThat(xfcc)
        .startsWith(previous + ",By=" + GATEWAY + ";Hash=")
        .endsWith(";Subject=\"\";URI=spiffe://cluster.local/ns/foo/sa/sleep");
    assertThat(seen.poll(5, TimeUnit.SECONDS).headers().joined("x-forwarded-client-cert"))
        .isEqualTo(xfcc);
  }

  @Test
  void forwardOnlyPassesTheHeaderOverMtlsUnchanged() throws Exception {
    start(ListenerTls.ClientAuthMode.REQUIRE, ForwardClientCert.FORWARD_ONLY);
    MeshCa.Issued sidecar = ca.issueSpiffe("spiffe://cluster.local/ns/foo/sa/sleep");
    twoRequests(sidecar.clientContext(), null, "x-forwarded-client-cert: Hash=abc\r\n");
    assertThat(upstream.received.poll(5, TimeUnit.SECONDS).headers("x-forwarded-client-cert"))
        .containsExactly("Hash=abc");
  }

  @Test
  void sanitizeByDefaultStripsASpoofedHeaderOverMtls() throws Exception {
    start(ListenerTls.ClientAuthMode.REQUIRE, ForwardClientCert.SANITIZE);
    MeshCa.Issued good = ca.issueSpiffe("spiffe://cluster.local/ns/foo/sa/good");
    twoRequests(
        good.clientContext(), null, "x-forwarded-client-cert: By=spiffe://x;URI=spiffe://y\r\n");
    CheckRequest r = seen.poll(5, TimeUnit.SECONDS);
    assertThat(r.headers().joined("x-forwarded-client-cert")).isNull();
    assertThat(r.sni()).isNull();
    assertThat(upstream.received.poll(5, TimeUnit.SECONDS).header("x-forwarded-client-cert"))
        .isNull();
  }

  @Test
  void optionalWithoutCertificateIsNoIdentityAndCannotForwardAnyXfcc() throws Exception {
    start(ListenerTls.ClientAuthMode.OPTIONAL, ForwardClientCert.APPEND_FORWARD);
    int[] status =
        twoRequests(
            ca.clientContext(),
            null,
            "x-forwarded-client-cert: URI=spiffe://cluster.local/ns/foo/sa/good\r\n");
    assertThat(status).containsOnly(200);
    CheckRequest r = seen.poll(5, TimeUnit.SECONDS);
    assertThat(r.sourcePrincipal()).isNull();
    assertThat(r.headers().joined("x-forwarded-client-cert")).isNull();
    assertThat(upstream.received.poll(5, TimeUnit.SECONDS).header("x-forwarded-client-cert"))
        .isNull();
  }

  @Test
  void optionalWithNonSpiffeCertificateIsPresentedWithoutPrincipal() throws Exception {
    start(ListenerTls.ClientAuthMode.OPTIONAL, ForwardClientCert.SANITIZE_SET);
    MeshCa.Issued dnsOnly = ca.issue("legacy", List.of(), List.of("legacy.example"));
    twoRequests(dnsOnly.clientContext(), null, "");
    CheckRequest r = seen.poll(5, TimeUnit.SECONDS);
    assertThat(r.sourcePrincipal()).isNull();
    assertThat(r.headers().joined("x-forwarded-client-cert"))
        .contains(";Subject=\"CN=legacy\";URI=;DNS=legacy.example");
  }

  @Test
  void requireRefusesAClientWithoutCertificate() throws Exception {
    start(ListenerTls.ClientAuthMode.REQUIRE, ForwardClientCert.SANITIZE);
    assertThatThrownBy(() -> twoRequests(ca.clientContext(), null, ""))
        .isInstanceOf(IOException.class);
    assertThat(seen).isEmpty();
  }

  @Test
  void aCertificateFromAnotherCaIsRefused() throws Exception {
    start(ListenerTls.ClientAuthMode.OPTIONAL, ForwardClientCert.SANITIZE);
    MeshCa.Issued stranger = otherCa.issueSpiffe("spiffe://cluster.local/ns/foo/sa/good");
    SSLContext trustsServer = stranger.clientContextTrusting(ca);
    assertThatThrownBy(() -> twoRequests(trustsServer, null, "")).isInstanceOf(IOException.class);
    assertThat(seen).isEmpty();
  }

  @Test
  void aResumedSessionKeepsItsIdentityAndEachHandshakeItsServerName() throws Exception {
    start(ListenerTls.ClientAuthMode.REQUIRE, ForwardClientCert.SANITIZE);
    MeshCa.Issued good = ca.issueSpiffe("spiffe://cluster.local/ns/foo/sa/good");
    SSLContext first = good.clientContext();
    twoRequests(first, "api.mesh.test", "");
    // the same client context resumes the session (the JDK client then repeats its SNI)
    twoRequests(first, "api.mesh.test", "");
    twoRequests(good.clientContext(), "web.mesh.test", "");
    twoRequests(good.clientContext(), null, "");
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      CheckRequest r = seen.poll(5, TimeUnit.SECONDS);
      assertThat(r.sourcePrincipal()).isEqualTo("cluster.local/ns/foo/sa/good");
      names.add(r.sni());
    }
    assertThat(names)
        .containsExactly(
            "api.mesh.test",
            "api.mesh.test",
            "api.mesh.test",
            "api.mesh.test",
            "web.mesh.test",
            "web.mesh.test",
            null,
            null);
  }
}
