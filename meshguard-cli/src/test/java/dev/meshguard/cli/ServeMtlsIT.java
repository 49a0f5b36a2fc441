package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshguard.testing.MeshCa;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve --tls-client-ca` on the real jar: clients with SPIFFE certificates from a private mesh CA
 * made at test time, decided by `principals`, `notPrincipals`, `namespaces`, trust-domain aliases
 * and `connection.sni`; `x-forwarded-client-cert` as the upstream sees it; `require` refusing a
 * client without certificate at the handshake, `optional` treating it as nobody.
 */
class ServeMtlsIT {
  private static final String GATEWAY = "spiffe://cluster.local/ns/istio-system/sa/gateway";
  private static final String POLICIES =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: by-peer
        namespace: foo
      spec:
        selector:
          matchLabels:
            app: backend
        action: ALLOW
        rules:
        - from:
          - source:
              principals: ["cluster.local/ns/foo/sa/good"]
          to:
          - operation:
              paths: ["/principal"]
        - from:
          - source:
              notPrincipals: ["cluster.local/ns/foo/sa/bad"]
          to:
          - operation:
              paths: ["/not-principal"]
        - from:
          - source:
              namespaces: ["bar"]
          to:
          - operation:
              paths: ["/namespace"]
        - to:
          - operation:
              paths: ["/sni"]
          when:
          - key: connection.sni
            values: ["api.mesh.test"]
        - to:
          - operation:
              paths: ["/echo"]
      """;
  private static final String MESH =
      """
      trustDomain: cluster.local
      trustDomainAliases: ["old-td.example"]
      """;

  @TempDir static Path dir;
  private static MeshCa ca;
  private static Path caPem;
  private static Path serverCert;
  private static Path serverKey;
  private static EchoUpstream upstream;
  private static MeshguardProcess required;
  private static MeshguardProcess optional;

  @BeforeAll
  static void start() throws Exception {
    ca = MeshCa.create("meshguard it mesh ca");
    MeshCa.Issued server = ca.issue("gateway", List.of(GATEWAY), List.of("localhost"));
    serverCert = server.writeChainPem(dir);
    serverKey = server.writeKeyPem(dir);
    Path cert = serverCert;
    Path key = serverKey;
    caPem = ca.writeCaPem(dir);
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(policies, POLICIES);
    Path mesh = dir.resolve("mesh.yaml");
    Files.writeString(mesh, MESH);
    upstream = new EchoUpstream();
    List<String> common =
        List.of(
            "serve",
            "--config",
            policies.toString(),
            "--mesh-config",
            mesh.toString(),
            "--namespace",
            "foo",
            "--labels",
            "app=backend",
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            cert.toString(),
            "--tls-key",
            key.toString(),
            "--tls-client-ca",
            caPem.toString());
    required = MeshguardProcess.start(with(common, "--forward-client-cert", "sanitize-set"));
    optional = MeshguardProcess.start(with(common, "--tls-client-auth", "optional"));
    required.listenAddress();
    optional.listenAddress();
  }

  private static String[] with(List<String> common, String... more) {
    List<String> all = new java.util.ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @AfterAll
  static void stop() {
    if (required != null) {
      assertThat(required.terminate()).isZero();
    }
    if (optional != null) {
      assertThat(optional.terminate()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** A request with the JDK's HttpClient presenting {@code tls}'s certificate, if any. */
  private static HttpResponse<String> get(
      MeshguardProcess serve, SSLContext tls, String path, String... headers) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls).build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
            URI.create("https://localhost:" + serve.listenAddress().getPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext as(String spiffeUri) {
    return ca.issueSpiffe(spiffeUri).clientContext();
  }

  @Test
  void principalsAllowTheGoodServiceAccountAndDenyAnother() throws Exception {
    assertThat(
            get(required, as("spiffe://cluster.local/ns/foo/sa/good"), "/principal").statusCode())
        .isEqualTo(200);
    HttpResponse<String> other =
        get(required, as("spiffe://cluster.local/ns/foo/sa/other"), "/principal");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).isEqualTo("RBAC: access denied");
  }

  @Test
  void notPrincipalsDenyTheNamedOneOnly() throws Exception {
    assertThat(
            get(required, as("spiffe://cluster.local/ns/foo/sa/bad"), "/not-principal")
                .statusCode())
        .isEqualTo(403);
    assertThat(
            get(required, as("spiffe://cluster.local/ns/foo/sa/good"), "/not-principal")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void namespacesMatchThePeersNamespace() throws Exception {
    assertThat(get(required, as("spiffe://cluster.local/ns/bar/sa/any"), "/namespace").statusCode())
        .isEqualTo(200);
    assertThat(
            get(required, as("spiffe://cluster.local/ns/barn/sa/any"), "/namespace").statusCode())
        .isEqualTo(403);
  }

  @Test
  void trustDomainAliasesApplyToPrincipals() throws Exception {
    assertThat(
            get(required, as("spiffe://old-td.example/ns/foo/sa/good"), "/principal").statusCode())
        .isEqualTo(200);
    assertThat(
            get(required, as("spiffe://other-td.example/ns/foo/sa/good"), "/principal")
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  void requireRefusesAClientWithoutCertificateAtTheHandshake() {
    assertThatThrownBy(() -> get(required, ca.clientContext(), "/echo"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void optionalTreatsAClientWithoutCertificateAsNobody() throws Exception {
    assertThat(get(optional, ca.clientContext(), "/principal").statusCode()).isEqualTo(403);
    // notPrincipals match a request without a peer identity, as Envoy's NOT over a false match
    assertThat(get(optional, ca.clientContext(), "/not-principal").statusCode()).isEqualTo(200);
    assertThat(
            get(optional, as("spiffe://cluster.local/ns/foo/sa/good"), "/principal").statusCode())
        .isEqualTo(200);
  }

  @Test
  void sanitizeSetTellsTheUpstreamWhoCalledAndNothingTheClientMadeUp() throws Exception {
    upstream.received.clear();
    MeshCa.Issued good = ca.issueSpiffe("spiffe://cluster.local/ns/foo/sa/good");
    HttpResponse<String> r =
        get(
            required,
            good.clientContext(),
            "/echo",
            "x-forwarded-client-cert",
            "By=spiffe://cluster.local/ns/foo/sa/good;URI=spiffe://cluster.local/ns/x/sa/admin");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode got = upstream.received.poll(10, TimeUnit.SECONDS);
    String hash =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(good.certificate().getEncoded()));
    assertThat(EchoUpstream.header(got, "x-forwarded-client-cert"))
        .isEqualTo(
            "By="
                + GATEWAY
                + ";Hash="
                + hash
                + ";Subject=\"\";URI=spiffe://cluster.local/ns/foo/sa/good");
  }

  @Test
  void sanitizeByDefaultStripsXfccEvenWithoutCertificate() throws Exception {
    upstream.received.clear();
    HttpResponse<String> r =
        get(
            optional,
            ca.clientContext(),
            "/echo",
            "x-forwarded-client-cert",
            "URI=spiffe://cluster.local/ns/foo/sa/good");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode got = upstream.received.poll(10, TimeUnit.SECONDS);
    assertThat(EchoUpstream.header(got, "x-forwarded-client-cert")).isNull();
  }

  @Test
  void connectionSniIsTheServerNameTheClientAskedFor() throws Exception {
    // a client context per connection: the JDK client would resume its first session and repeat
    // that session's server name
    String good = "spiffe://cluster.local/ns/foo/sa/good";
    assertThat(statusWithSni(as(good), "api.mesh.test", "/sni")).isEqualTo(200);
    assertThat(statusWithSni(as(good), "web.mesh.test", "/sni")).isEqualTo(403);
    assertThat(statusWithSni(as(good), null, "/sni")).isEqualTo(403);
  }

  private static int statusWithSni(SSLContext tls, String sni, String path) throws IOException {
    InetSocketAddress a = required.listenAddress();
    try (SSLSocket s =
        (SSLSocket) tls.getSocketFactory().createSocket(a.getAddress(), a.getPort())) {
      SSLParameters params = s.getSSLParameters();
      params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
      s.setSSLParameters(params);
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: backend\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return RawHttp.read(s.getInputStream()).status();
    }
  }

  @Test
  void curlWithAClientCertificateIsAllowed() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new java.io.File("/usr/bin/curl").canExecute(), "curl is not installed");
    MeshCa.Issued good = ca.issueSpiffe("spiffe://cluster.local/ns/foo/sa/good");
    Process curl =
        new ProcessBuilder(
                "/usr/bin/curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--cacert",
                caPem.toString(),
                "--cert",
                good.writeChainPem(dir).toString(),
                "--key",
                good.writeKeyPem(dir).toString(),
                "https://localhost:" + required.listenAddress().getPort() + "/principal")
            .redirectErrorStream(true)
            .start();
    assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("200");
  }

  @Test
  void mutualTlsFlagsAreCheckedAtStart() throws IOException {
    Path policies = dir.resolve("policies.yaml");
    String[] base = {
      "serve",
      "--config",
      policies.toString(),
      "--upstream",
      upstream.url(),
      "--listen",
      "127.0.0.1:0"
    };
    assertUsageError(
        with(List.of(base), "--tls-client-auth", "optional"),
        "--tls-client-auth needs --tls-client-ca");
    assertUsageError(
        with(List.of(base), "--tls-client-ca", caPem.toString()),
        "--tls-client-ca needs --tls-cert and --tls-key");
    Path notPem = dir.resolve("not-a-ca.pem");
    java.nio.file.Files.writeString(notPem, "not a certificate\n");
    String[] tlsBase =
        with(
            List.of(base),
            "--tls-cert",
            serverCert.toString(),
            "--tls-key",
            serverKey.toString(),
            "--tls-client-ca");
    assertUsageError(with(List.of(tlsBase), notPem.toString()), "--tls-client-ca " + notPem + ": ");
    assertUsageError(
        with(List.of(tlsBase), dir.resolve("missing.pem").toString()),
        "--tls-client-ca " + dir.resolve("missing.pem") + ": cannot read the file");
    assertUsageError(
        with(List.of(base), "--forward-client-cert", "SANITIZE"),
        "--forward-client-cert: `SANITIZE` is not one of sanitize, forward-only, append-forward");
  }

  private static void assertUsageError(String[] args, String message) {
    MeshguardProcess p = MeshguardProcess.run(args);
    assertThat(p.awaitExit()).as(p.transcript()).isEqualTo(2);
    assertThat(String.join("\n", p.stderr)).contains(message);
  }

  @Test
  void startSaysHowClientsAreAsked() {
    assertThat(required.awaitStderr(l -> l.contains("mutual TLS")))
        .contains("client certificates required")
        .contains("x-forwarded-client-cert sanitize-set");
    assertThat(optional.awaitStderr(l -> l.contains("mutual TLS")))
        .contains("client certificates optional")
        .contains("x-forwarded-client-cert sanitize");
  }
}
