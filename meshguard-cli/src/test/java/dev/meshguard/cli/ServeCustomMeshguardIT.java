package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve` whose CUSTOM policy's provider is `meshguard extauthz` over gRPC, both the shaded jar
 * started as users start it: the FAQ's ingress policies are enforced by the ext_authz server, and
 * its denials (Envoy's 401 with `www-authenticate`, 403 `RBAC: access denied`) reach the client
 * through `serve` as Envoy relays them.
 */
class ServeCustomMeshguardIT {
  @TempDir static Path dir;
  private static EchoUpstream upstream;
  private static MeshguardProcess extauthz;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;
  private static final String TOKEN = DemoCommand.resource(DemoCommand.TOKEN).trim();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    Path ingress = dir.resolve("ingress-policies.yaml");
    Files.writeString(ingress, DemoCommand.resource(DemoCommand.POLICIES));
    extauthz =
        MeshguardProcess.start(
            "extauthz",
            "--config",
            ingress.toString(),
            "--namespace",
            "istio-system",
            "--labels",
            "app=istio-ingressgateway",
            "--listen",
            "127.0.0.1:0");
    int port = extauthz.listenAddress().getPort();
    Path mesh = dir.resolve("mesh.yaml");
    Files.writeString(
        mesh,
        """
        extensionProviders:
        - name: meshguard
          envoyExtAuthzGrpc: {service: meshguard-extauthz.istio-system.svc.cluster.local, port: 9000}
        """);
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(
        policies,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: meshguard-extauthz, namespace: istio-system}
        spec:
          hosts: [meshguard-extauthz.istio-system.svc.cluster.local]
          ports: [{number: 9000, name: grpc, protocol: GRPC}]
          resolution: STATIC
          endpoints: [{address: 127.0.0.1, ports: {grpc: %d}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext, namespace: foo}
        spec:
          action: CUSTOM
          provider: {name: meshguard}
          rules: [{}]
        """
            .formatted(port));
    upstream = new EchoUpstream();
    serve = MeshguardProcess.serveWithMeshConfig(policies, mesh, upstream.url());
    proxy = serve.listenAddress();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    if (extauthz != null) {
      assertThat(extauthz.terminate()).isZero();
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
  void theExtAuthzServerDecidesAndServeRelaysItsAnswers() throws Exception {
    assertThat(get("/productpage", null).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = get("/api/v1/products/0", null);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).isEqualTo("RBAC: access denied");
    upstream.received.clear();
    assertThat(get("/api/v1/products/0", TOKEN).statusCode()).isEqualTo(200);
    // the ext_authz server's ok_response drops the token (headers_to_remove): serve applies it
    com.fasterxml.jackson.databind.JsonNode echo =
        upstream.received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(echo).isNotNull();
    assertThat(echo.path("uri").asText()).isEqualTo("/api/v1/products/0");
    assertThat(EchoUpstream.header(echo, "authorization")).isNull();
    HttpResponse<String> tampered = get("/api/v1/products/0", TestTokens.tamper(TOKEN));
    assertThat(tampered.statusCode()).isEqualTo(401);
    assertThat(tampered.body()).isEqualTo("Jwt verification fails");
    assertThat(tampered.headers().firstValue("www-authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
  }
}
