package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.core.v3.QueryParameter;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Query changes through two hops, every process the shaded jar: `serve` asks `meshguard extauthz`
 * (gRPC), whose own CUSTOM policy asks a gRPC authorizer that sets and removes query parameters;
 * `extauthz` passes them on as `query_parameters_to_set/remove`, and the upstream behind `serve`
 * gets the query the authorizer asked for.
 */
class ExtAuthzCustomQueryIT {
  @TempDir static Path dir;
  private static GrpcAuthorizer authorizer;
  private static EchoUpstream upstream;
  private static MeshguardProcess extauthz;
  private static MeshguardProcess serve;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    authorizer =
        new GrpcAuthorizer(
            r ->
                CheckResponse.newBuilder()
                    .setStatus(com.google.rpc.Status.newBuilder().setCode(0))
                    .setOkResponse(
                        OkHttpResponse.newBuilder()
                            .addQueryParametersToSet(
                                QueryParameter.newBuilder().setKey("tenant").setValue("t1"))
                            .addQueryParametersToRemove("token"))
                    .build());
    Path innerMesh = dir.resolve("inner-mesh.yaml");
    Files.writeString(
        innerMesh,
        """
        extensionProviders:
        - name: inner
          envoyExtAuthzGrpc: {service: 127.0.0.1, port: %d}
        """
            .formatted(authorizer.port()));
    Path innerPolicies = dir.resolve("inner-policies.yaml");
    Files.writeString(innerPolicies, customPolicy("inner"));
    extauthz =
        MeshguardProcess.start(
            "extauthz",
            "--config",
            innerPolicies.toString(),
            "--mesh-config",
            innerMesh.toString(),
            "--namespace",
            "foo",
            "--listen",
            "127.0.0.1:0");
    Path outerMesh = dir.resolve("outer-mesh.yaml");
    Files.writeString(
        outerMesh,
        """
        extensionProviders:
        - name: meshguard
          envoyExtAuthzGrpc: {service: 127.0.0.1, port: %d}
        """
            .formatted(extauthz.listenAddress().getPort()));
    Path outerPolicies = dir.resolve("outer-policies.yaml");
    Files.writeString(outerPolicies, customPolicy("meshguard"));
    upstream = new EchoUpstream();
    serve = MeshguardProcess.serveWithMeshConfig(outerPolicies, outerMesh, upstream.url());
  }

  private static String customPolicy(String provider) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext, namespace: foo}
        spec:
          action: CUSTOM
          provider: {name: %s}
          rules: [{to: [{operation: {paths: ["/q/*"]}}]}]
        """
        .formatted(provider);
  }

  @AfterAll
  static void stop() throws Exception {
    for (MeshguardProcess p : new MeshguardProcess[] {serve, extauthz}) {
      if (p != null) {
        assertThat(p.terminate()).isZero();
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {upstream, authorizer}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void theAuthorizersQueryChangesReachTheUpstreamThroughExtauthz() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + serve.listenAddress().getPort()
                            + "/q/a?token=secret&b=2"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode echo = upstream.received.poll(10, TimeUnit.SECONDS);
    assertThat(echo).isNotNull();
    assertThat(echo.path("uri").asText()).isEqualTo("/q/a?b=2&tenant=t1");
    assertThat(authorizer.next().getAttributes().getRequest().getHttp().getPath())
        .isEqualTo("/q/a?token=secret&b=2");
  }
}
