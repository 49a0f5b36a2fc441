package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FAQ's ingress-gateway scenario through the real `serve`: `/productpage` open, the API needing
 * a token, Istio's demo token accepted; what the upstream receives; and `serve` refusing to start
 * on bad configuration or on the public demo key.
 */
class ServeFaqIT {
  @TempDir static Path dir;
  private static Path policies;
  private static EchoUpstream upstream;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;
  private static final String TOKEN = DemoCommand.resource(DemoCommand.TOKEN).trim();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    policies = dir.resolve("ingress-policies.yaml");
    Files.writeString(policies, DemoCommand.resource(DemoCommand.POLICIES));
    upstream = new EchoUpstream();
    serve =
        MeshguardProcess.start(
            "serve",
            "--config",
            policies.toString(),
            "--namespace",
            "istio-system",
            "--labels",
            "app=istio-ingressgateway",
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0");
    proxy = serve.listenAddress();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theFaqScenario() throws Exception {
    assertThat(get("/productpage", null).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = get("/api/v1/products/0", null);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).isEqualTo("RBAC: access denied");
    assertThat(get("/api/v1/products/1", null).statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/products/0", TOKEN).statusCode()).isEqualTo(200);
    assertThat(get("/productpage", TOKEN).statusCode()).isEqualTo(200);
    HttpResponse<String> tampered = get("/api/v1/products/0", TestTokens.tamper(TOKEN));
    assertThat(tampered.statusCode()).isEqualTo(401);
    assertThat(tampered.body()).isEqualTo("Jwt verification fails");
  }

  @Test
  void theUpstreamGetsTheNormalizedPathWithoutTheToken() throws Exception {
    upstream.received.clear();
    try (java.net.Socket s = new java.net.Socket(proxy.getAddress(), proxy.getPort())) {
      s.getOutputStream()
          .write(
              ("GET /api/v1/../v1/./products/%30?q=%2e HTTP/1.1\r\nHost: bookinfo\r\n"
                      + "Authorization: Bearer "
                      + TOKEN
                      + "\r\nX-Envoy-Original-Path: /productpage\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      RawHttp.Response r = RawHttp.read(s.getInputStream());
      assertThat(r.status()).isEqualTo(200);
    }
    JsonNode got = upstream.received.poll(10, TimeUnit.SECONDS);
    assertThat(got.get("uri").asText()).isEqualTo("/api/v1/products/0?q=%2e");
    assertThat(EchoUpstream.header(got, "authorization")).isNull();
    assertThat(EchoUpstream.header(got, "x-envoy-original-path")).isNull();
    assertThat(EchoUpstream.header(got, "host")).isEqualTo("bookinfo");
    assertThat(EchoUpstream.header(got, "x-forwarded-proto")).isEqualTo("http");
    assertThat(EchoUpstream.header(got, "x-request-id")).isNotBlank();
  }

  @Test
  void accessLogHasOneJsonLinePerRequest() throws Exception {
    get("/api/v1/products/1", null);
    String line =
        serve.awaitStdout(l -> l.startsWith("{") && l.contains("\"path\":\"/api/v1/products/1\""));
    JsonNode j = EchoUpstream.JSON.readTree(line);
    assertThat(j.get("status").asInt()).isEqualTo(403);
    assertThat(j.get("outcome").asText()).isEqualTo("DENIED_AUTHORIZATION");
    assertThat(j.get("policy").asText()).isEqualTo("istio-system/test-exclude");
    assertThat(j.get("method").asText()).isEqualTo("GET");
    assertThat(j.has("duration_ms")).isTrue();
    assertThat(j.get("upstream_status").isNull()).isTrue();
  }

  @Test
  void theJarCarriesNoSigningKey() throws Exception {
    // security row 7: only the demo's public key and token ship; never a private key to sign with
    String samplePrivateKeyStart = "MIIEowIBAAKCAQEAxAE7eB6qugXyCAG3yhh7pkDkT65pHymX";
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(MeshguardProcess.jar().toFile())) {
      for (java.util.zip.ZipEntry e : java.util.Collections.list(jar.entries())) {
        if (e.isDirectory()) {
          continue;
        }
        String text;
        try (java.io.InputStream in = jar.getInputStream(e)) {
          text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        assertThat(text).as(e.getName()).doesNotContain(samplePrivateKeyStart);
        if (!e.getName().endsWith(".class")) {
          // class files may name PEM markers (Netty's TLS code); resources must not hold keys
          assertThat(text).as(e.getName()).doesNotContain("PRIVATE KEY-----");
          assertThat(text).as(e.getName()).doesNotContainPattern("\"d\"\\s*:\\s*\"");
        }
      }
    }
  }

  @Test
  void refusesTheDemoKeyWhenAskedTo() {
    try (MeshguardProcess p =
        MeshguardProcess.start(
            "serve",
            "--config",
            policies.toString(),
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0",
            "--reject-demo-keys")) {
      assertThat(p.awaitExit()).isEqualTo(2);
      assertThat(String.join("\n", p.stderr))
          .contains("jwtRules[0].jwks: holds Istio's public sample key")
          .contains("not starting");
      assertThat(p.stdout).noneMatch(l -> l.contains("listening"));
    }
  }

  @Test
  void refusesToStartOnConfigurationErrors() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: broken
          namespace: default
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["no-leading-slash"]
                bogusField: 1
        """);
    try (MeshguardProcess p =
        MeshguardProcess.start(
            "serve",
            "--config",
            bad.toString(),
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0")) {
      assertThat(p.awaitExit()).isEqualTo(2);
      assertThat(String.join("\n", p.stderr))
          .contains(bad.toString() + ":0:")
          .contains("not starting");
    }
  }
}
