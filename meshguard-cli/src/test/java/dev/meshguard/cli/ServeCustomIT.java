package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshguard.fixtures.HttpAuthorizer;
import dev.meshguard.fixtures.HttpAuthorizer.Reply;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.QueryParameter;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CUSTOM policies through the real `serve` and `check` (the shaded jar): an HTTP authorizer reached
 * through a ServiceEntry, a gRPC authorizer, providers that are down or too slow; what the client,
 * the upstream and the provider see; Envoy's order (CUSTOM, then DENY).
 */
class ServeCustomIT {
  @TempDir static Path dir;
  private static Path policies;
  private static Path mesh;
  private static EchoUpstream upstream;
  private static HttpAuthorizer http;
  private static HttpAuthorizer slow;
  private static GrpcAuthorizer grpc;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new EchoUpstream();
    http =
        new HttpAuthorizer()
            .answer(
                r -> {
                  if (r.uri().startsWith("/authz/http/deny")) {
                    return Reply.deny(
                        401, "who are you?", "x-ext-reason", "no session", "x-hidden", "h");
                  }
                  return Reply.allow(
                      "x-user", "alice", "x-ext-note", "checked", "x-secret", "never-upstream");
                });
    slow = new HttpAuthorizer().answer(r -> Reply.hanging());
    grpc = new GrpcAuthorizer(ServeCustomIT::grpcAnswer);
    int down;
    try (ServerSocket s = new ServerSocket(0)) {
      down = s.getLocalPort();
    }
    mesh = dir.resolve("mesh.yaml");
    Files.writeString(
        mesh,
        """
        extensionProviders:
        - name: http-authz
          envoyExtAuthzHttp:
            service: ext-authz.foo.svc.cluster.local
            port: 8000
            pathPrefix: /authz
            includeRequestHeadersInCheck: ["x-ext-*"]
            headersToUpstreamOnAllow: ["x-user"]
            headersToDownstreamOnAllow: ["x-ext-note"]
            headersToDownstreamOnDeny: ["x-ext-reason"]
        - name: grpc-authz
          envoyExtAuthzGrpc:
            service: 127.0.0.1
            port: %d
        - name: down-closed
          envoyExtAuthzHttp: {service: 127.0.0.1, port: %d, statusOnError: "503"}
        - name: down-open
          envoyExtAuthzHttp: {service: 127.0.0.1, port: %d, failOpen: true}
        - name: slow
          envoyExtAuthzHttp: {service: 127.0.0.1, port: %d, timeout: 0.5s, statusOnError: "504"}
        """
            .formatted(grpc.port(), down, down, slow.port()));
    policies = dir.resolve("policies.yaml");
    StringBuilder yaml = new StringBuilder();
    yaml.append(
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ext-authz, namespace: foo}
        spec:
          hosts: [ext-authz.foo.svc.cluster.local]
          ports: [{number: 8000, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints: [{address: 127.0.0.1, ports: {http: %d}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: no-secrets, namespace: foo}
        spec:
          action: DENY
          rules: [{to: [{operation: {paths: ["/http/secret"]}}]}]
        """
            .formatted(http.port()));
    for (String p : new String[] {"http", "grpc", "down-closed", "down-open", "slow"}) {
      yaml.append(
          """
          ---
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: ext-%s, namespace: foo}
          spec:
            action: CUSTOM
            provider: {name: %s}
            rules: [{to: [{operation: {paths: ["/%s/*"]}}]}]
          """
              .formatted(p, p.equals("http") || p.equals("grpc") ? p + "-authz" : p, p));
    }
    Files.writeString(policies, yaml.toString());
    serve = MeshguardProcess.serveWithMeshConfig(policies, mesh, upstream.url());
    proxy = serve.listenAddress();
  }

  private static CheckResponse grpcAnswer(CheckRequest r) {
    if (r.getAttributes().getRequest().getHttp().getPath().startsWith("/grpc/deny")) {
      return CheckResponse.newBuilder()
          .setStatus(com.google.rpc.Status.newBuilder().setCode(7))
          .setDeniedResponse(
              DeniedHttpResponse.newBuilder()
                  .setStatus(HttpStatus.newBuilder().setCode(StatusCode.TooManyRequests))
                  .setBody("slow down")
                  .addHeaders(option("retry-after", "3")))
          .build();
    }
    if (r.getAttributes().getRequest().getHttp().getPath().startsWith("/grpc/query")) {
      return CheckResponse.newBuilder()
          .setStatus(com.google.rpc.Status.newBuilder().setCode(0))
          .setOkResponse(
              OkHttpResponse.newBuilder()
                  .addQueryParametersToSet(
                      QueryParameter.newBuilder().setKey("tenant").setValue("t1"))
                  .addQueryParametersToRemove("token")
                  .addHeadersToRemove("host"))
          .build();
    }
    return CheckResponse.newBuilder()
        .setStatus(com.google.rpc.Status.newBuilder().setCode(0))
        .setOkResponse(
            OkHttpResponse.newBuilder()
                .addHeaders(option("x-user", "bob"))
                .addHeadersToRemove("x-drop-me")
                .addResponseHeadersToAdd(option("x-grpc-note", "checked")))
        .build();
  }

  private static HeaderValueOption option(String key, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(key).setValue(value))
        .build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    for (AutoCloseable c : new AutoCloseable[] {upstream, http, slow, grpc}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @BeforeEach
  void forgetEarlierCalls() {
    http.clear();
    grpc.clear();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The upstream's echo of the request for {@code uri} (other tests' requests are skipped). */
  @Test
  void anHttpProviderAllowsAndItsHeadersLandWhereTheListsSay() throws Exception {
    HttpResponse<String> r =
        get("/http/ok?q=1", "x-ext-tag", "a", "x-other", "b", "x-user", "mallory");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-ext-note")).hasValue("checked");
    assertThat(r.headers().firstValue("x-secret")).isEmpty();
    JsonNode echo = upstream.awaitRequest("/http/ok?q=1");
    assertThat(EchoUpstream.header(echo, "x-user")).isEqualTo("alice");
    assertThat(EchoUpstream.header(echo, "x-secret")).isNull();
    HttpAuthorizer.Received asked = http.next();
    assertThat(asked.method()).isEqualTo("GET");
    assertThat(asked.uri()).isEqualTo("/authz/http/ok?q=1");
    assertThat(asked.header("host")).isEqualTo("127.0.0.1:" + proxy.getPort());
    assertThat(asked.header("x-ext-tag")).isEqualTo("a");
    assertThat(asked.header("x-other")).isNull();
  }

  @Test
  void anHttpProvidersDenialReachesTheClientAsEnvoyRelaysIt() throws Exception {
    HttpResponse<String> r = get("/http/deny");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("who are you?");
    assertThat(r.headers().firstValue("x-ext-reason")).hasValue("no session");
    assertThat(r.headers().firstValue("x-hidden")).isEmpty();
    // a later request reaches the upstream; the denied one, sent before it, never did
    assertThat(get("/public").statusCode()).isEqualTo(200);
    JsonNode echo;
    do {
      echo = upstream.received.poll(10, TimeUnit.SECONDS);
      assertThat(echo).as("the upstream got /public").isNotNull();
      assertThat(echo.path("uri").asText()).doesNotStartWith("/http/deny");
    } while (!echo.path("uri").asText().equals("/public"));
  }

  @Test
  void customComesBeforeDenyAndOnlyMatchingRequestsAskTheProvider() throws Exception {
    HttpResponse<String> secret = get("/http/secret");
    assertThat(secret.statusCode()).isEqualTo(403);
    assertThat(secret.body()).isEqualTo("RBAC: access denied");
    assertThat(http.next().uri()).isEqualTo("/authz/http/secret");
    assertThat(get("/public").statusCode()).isEqualTo(200);
    assertThat(http.pending()).isZero();
  }

  @Test
  void aGrpcProviderAllowsWithItsHeadersAndSeesTheRequestAsEnvoySendsIt() throws Exception {
    HttpResponse<String> r = get("/grpc/./ok?x=1", "x-drop-me", "1", "x-api", "k");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-grpc-note")).hasValue("checked");
    JsonNode echo = upstream.awaitRequest("/grpc/ok?x=1");
    assertThat(EchoUpstream.header(echo, "x-user")).isEqualTo("bob");
    assertThat(EchoUpstream.header(echo, "x-drop-me")).isNull();
    CheckRequest asked = grpc.next();
    var httpAttrs = asked.getAttributes().getRequest().getHttp();
    assertThat(httpAttrs.getMethod()).isEqualTo("GET");
    assertThat(httpAttrs.getPath()).isEqualTo("/grpc/ok?x=1");
    assertThat(httpAttrs.getHost()).isEqualTo("127.0.0.1:" + proxy.getPort());
    assertThat(httpAttrs.getHeadersMap())
        .containsEntry("x-api", "k")
        .containsEntry(":path", "/grpc/ok?x=1")
        .containsEntry(":method", "GET");
    assertThat(asked.getAttributes().getSource().getAddress().getSocketAddress().getAddress())
        .isEqualTo("127.0.0.1");
  }

  @Test
  void aGrpcProvidersQueryChangesReachTheUpstreamAndHostStays() throws Exception {
    HttpResponse<String> r = get("/grpc/query?token=secret&b=2&tenant=mallory");
    assertThat(r.statusCode()).isEqualTo(200);
    // Envoy writes the changed query anew, names in order
    JsonNode echo = upstream.awaitRequest("/grpc/query?b=2&tenant=t1");
    assertThat(EchoUpstream.header(echo, "host")).isNotNull();
    assertThat(grpc.next().getAttributes().getRequest().getHttp().getPath())
        .isEqualTo("/grpc/query?token=secret&b=2&tenant=mallory");
  }

  @Test
  void aGrpcProvidersDenialReachesTheClient() throws Exception {
    HttpResponse<String> r = get("/grpc/deny");
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.body()).isEqualTo("slow down");
    assertThat(r.headers().firstValue("retry-after")).hasValue("3");
  }

  @Test
  void aProviderThatIsDownOrSlowIsAnsweredAsFailOpenAndStatusOnErrorSay() throws Exception {
    HttpResponse<String> closed = get("/down-closed/x");
    assertThat(closed.statusCode()).isEqualTo(503);
    assertThat(closed.body()).isEmpty();
    assertThat(get("/down-open/x").statusCode()).isEqualTo(200);
    assertThat(get("/slow/x").statusCode()).isEqualTo(504);
  }

  @Test
  void providerMetricsAreOnTheAdminListener() throws Exception {
    get("/http/ok");
    String text = new AdminEndpoint(serve.adminAddress()).prometheus();
    assertThat(text)
        .contains(
            "meshguard_extauthz_client_calls_total{provider=\"http-authz\",result=\"allowed\"}")
        .contains("meshguard_extauthz_client_call_seconds");
  }

  @Test
  void checkAsksTheProviderToo() throws Exception {
    MeshguardProcess allowed =
        MeshguardProcess.run(
            "check",
            "--config=" + policies,
            "--mesh-config=" + mesh,
            "--namespace=foo",
            "--path=/http/ok",
            "--json");
    JsonNode a = EchoUpstream.JSON.readTree(String.join("\n", allowed.stdout));
    assertThat(a.path("status").asInt()).as(allowed.transcript()).isEqualTo(200);
    assertThat(a.path("upstream").path("addHeaders").path("x-user").asText()).isEqualTo("alice");
    MeshguardProcess denied =
        MeshguardProcess.run(
            "check",
            "--config=" + policies,
            "--mesh-config=" + mesh,
            "--namespace=foo",
            "--path=/grpc/deny",
            "--json");
    JsonNode d = EchoUpstream.JSON.readTree(String.join("\n", denied.stdout));
    assertThat(d.path("status").asInt()).as(denied.transcript()).isEqualTo(429);
    assertThat(d.path("body").asText()).isEqualTo("slow down");
    assertThat(d.path("outcome").asText()).isEqualTo("DENIED_CUSTOM");
    MeshguardProcess down =
        MeshguardProcess.run(
            "check",
            "--config=" + policies,
            "--mesh-config=" + mesh,
            "--namespace=foo",
            "--path=/down-closed/x",
            "--json");
    assertThat(EchoUpstream.JSON.readTree(String.join("\n", down.stdout)).path("status").asInt())
        .as(down.transcript())
        .isEqualTo(503);
    MeshguardProcess offline =
        MeshguardProcess.run(
            "check",
            "--config=" + policies,
            "--mesh-config=" + mesh,
            "--namespace=foo",
            "--path=/down-closed/x",
            "--custom-answer=allow",
            "--json");
    assertThat(EchoUpstream.JSON.readTree(String.join("\n", offline.stdout)).path("status").asInt())
        .as(offline.transcript())
        .isEqualTo(200);
  }
}
