package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.fixtures.HttpAuthorizer;
import dev.meshguard.fixtures.HttpAuthorizer.Reply;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `meshguard extauthz --http` (the shaded jar) whose CUSTOM policy asks an HTTP provider: an
 * allowing provider's headers reach the front proxy on the 200 — those for the upstream and, as the
 * gRPC server's `response_headers_to_add`, those for the client — and a denial's status, body and
 * headers are relayed.
 */
class ExtAuthzHttpCustomIT {
  @TempDir static Path dir;
  private static HttpAuthorizer provider;
  private static MeshguardProcess extauthz;
  private static InetSocketAddress http;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    provider =
        new HttpAuthorizer()
            .answer(
                r ->
                    r.uri().startsWith("/ext/deny")
                        ? Reply.deny(401, "sign in", "x-ext-reason", "no session")
                        : Reply.allow("x-user", "alice", "x-ext-note", "checked"));
    Path mesh = dir.resolve("mesh.yaml");
    Files.writeString(
        mesh,
        """
        extensionProviders:
        - name: http-authz
          envoyExtAuthzHttp:
            service: 127.0.0.1
            port: %d
            headersToUpstreamOnAllow: [x-user]
            headersToDownstreamOnAllow: [x-ext-note]
            headersToDownstreamOnDeny: [x-ext-reason]
        """
            .formatted(provider.port()));
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(
        policies,
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext, namespace: foo}
        spec:
          action: CUSTOM
          provider: {name: http-authz}
          rules: [{to: [{operation: {paths: ["/ext/*"]}}]}]
        """);
    extauthz =
        MeshguardProcess.start(
            "extauthz",
            "--config",
            policies.toString(),
            "--mesh-config",
            mesh.toString(),
            "--namespace",
            "foo",
            "--listen",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0");
    http = extauthz.httpListenAddress();
  }

  @AfterAll
  static void stop() throws Exception {
    if (extauthz != null) {
      assertThat(extauthz.terminate()).isZero();
    }
    if (provider != null) {
      provider.close();
    }
  }

  @BeforeEach
  void forgetEarlierCalls() {
    provider.clear();
  }

  /** The check Envoy's HTTP ext_authz filter sends: the original method, path and host. */
  private static HttpResponse<String> check(String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.getPort() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAllowingProvidersHeadersRideOnThe200ForUpstreamAndClient() throws Exception {
    HttpResponse<String> r = check("/ext/a");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-user")).hasValue("alice");
    assertThat(r.headers().firstValue("x-ext-note")).hasValue("checked");
    assertThat(provider.next().uri()).isEqualTo("/ext/a");
  }

  @Test
  void aDenyingProvidersAnswerIsRelayed() throws Exception {
    HttpResponse<String> r = check("/ext/deny");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("sign in");
    assertThat(r.headers().firstValue("x-ext-reason")).hasValue("no session");
  }
}
