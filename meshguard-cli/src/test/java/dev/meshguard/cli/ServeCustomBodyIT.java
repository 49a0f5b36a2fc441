package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.fixtures.HttpAuthorizer;
import dev.meshguard.fixtures.HttpAuthorizer.Reply;
import dev.meshguard.proxy.h2.RawH2;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `includeRequestBodyInCheck` through the real `serve` (the shaded jar), as Envoy's ext_authz
 * filter does it: the provider (HTTP or gRPC) sees the body, up to `maxRequestBytes`; a longer body
 * is refused with 413, or cut with `allowPartialMessage` and flagged; the upstream gets the whole
 * body once allowed; requests whose provider wants no body are not held back.
 */
class ServeCustomBodyIT {
  @TempDir static Path dir;
  private static EchoUpstream upstream;
  private static HttpAuthorizer http;
  private static GrpcAuthorizer grpc;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new EchoUpstream();
    http = new HttpAuthorizer().answer(r -> Reply.allow());
    grpc =
        new GrpcAuthorizer(
            r ->
                CheckResponse.newBuilder()
                    .setStatus(com.google.rpc.Status.newBuilder().setCode(0))
                    .setOkResponse(OkHttpResponse.getDefaultInstance())
                    .build());
    Path mesh = dir.resolve("mesh.yaml");
    Files.writeString(
        mesh,
        """
        extensionProviders:
        - name: http-body
          envoyExtAuthzHttp:
            service: 127.0.0.1
            port: %1$d
            includeRequestBodyInCheck: {maxRequestBytes: 64}
        - name: http-partial
          envoyExtAuthzHttp:
            service: 127.0.0.1
            port: %1$d
            includeRequestBodyInCheck: {maxRequestBytes: 16, allowPartialMessage: true}
        - name: http-plain
          envoyExtAuthzHttp: {service: 127.0.0.1, port: %1$d}
        - name: grpc-body
          envoyExtAuthzGrpc:
            service: 127.0.0.1
            port: %2$d
            includeRequestBodyInCheck: {maxRequestBytes: 64}
        - name: grpc-raw
          envoyExtAuthzGrpc:
            service: 127.0.0.1
            port: %2$d
            includeRequestBodyInCheck:
              maxRequestBytes: 16
              allowPartialMessage: true
              packAsBytes: true
        """
            .formatted(http.port(), grpc.port()));
    StringBuilder yaml = new StringBuilder();
    for (String p : List.of("http-body", "http-partial", "http-plain", "grpc-body", "grpc-raw")) {
      yaml.append(
          """
          ---
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: ext-%1$s, namespace: foo}
          spec:
            action: CUSTOM
            provider: {name: %1$s}
            rules: [{to: [{operation: {paths: ["/%1$s/*"]}}]}]
          """
              .formatted(p));
    }
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(policies, yaml.toString());
    serve = MeshguardProcess.serveWithMeshConfig(policies, mesh, upstream.url());
    proxy = serve.listenAddress();
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    for (AutoCloseable c : new AutoCloseable[] {upstream, http, grpc}) {
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

  private static HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path))
        .timeout(Duration.ofSeconds(30)); // a hang guard: a client waiting for `100 Continue`
  }

  private static HttpResponse<String> post(String path, byte[] body) throws Exception {
    return CLIENT.send(
        to(path).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The upstream's echo of the request for {@code uri} (other tests' requests are skipped). */
  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  @Test
  void anHttpProviderGetsTheBodyAndTheUpstreamGetsItToo() throws Exception {
    HttpResponse<String> r = post("/http-body/x", "hello body".getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpAuthorizer.Received asked = http.next();
    assertThat(asked.uri()).isEqualTo("/http-body/x");
    assertThat(new String(asked.body(), StandardCharsets.UTF_8)).isEqualTo("hello body");
    assertThat(asked.header("content-length")).isEqualTo("10");
    assertThat(asked.header("x-envoy-auth-partial-body")).isEqualTo("false");
    assertThat(upstream.awaitRequest("/http-body/x").path("body").asText()).isEqualTo("hello body");
  }

  @Test
  void aChunkedBodyAfterExpectContinueIsCollectedForTheCheck() throws Exception {
    byte[] body = bytes(50);
    HttpResponse<String> r =
        CLIENT.send(
            to("/http-body/chunked")
                .expectContinue(true)
                // an input stream of unknown length: sent chunked
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    HttpAuthorizer.Received asked = http.next();
    assertThat(asked.body()).isEqualTo(body);
    assertThat(asked.header("x-envoy-auth-partial-body")).isEqualTo("false");
    assertThat(upstream.awaitRequest("/http-body/chunked").path("body").asText())
        .isEqualTo(new String(body, StandardCharsets.US_ASCII));
  }

  @Test
  void aBodyAboveMaxRequestBytesIsRefusedWith413AndNobodyIsAsked() throws Exception {
    HttpResponse<String> r = post("/http-body/big", bytes(65));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).isEqualTo("Payload Too Large");
    assertThat(http.pending()).isZero();
    // exactly maxRequestBytes is not too large
    assertThat(post("/http-body/exact", bytes(64)).statusCode()).isEqualTo(200);
    assertThat(http.next().body()).isEqualTo(bytes(64));
  }

  @Test
  void withAllowPartialMessageTheFirstBytesGoFlaggedAndTheUpstreamGetsAll() throws Exception {
    byte[] body = bytes(40);
    HttpResponse<String> r = post("/http-partial/x", body);
    assertThat(r.statusCode()).isEqualTo(200);
    HttpAuthorizer.Received asked = http.next();
    assertThat(asked.body()).isEqualTo(Arrays.copyOf(body, 16));
    assertThat(asked.header("x-envoy-auth-partial-body")).isEqualTo("true");
    assertThat(upstream.awaitRequest("/http-partial/x").path("body").asText())
        .isEqualTo(new String(body, StandardCharsets.US_ASCII));
  }

  @Test
  void theClientsOwnPartialBodyHeaderIsReplacedByServes() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            to("/http-body/claims-partial")
                .header("x-envoy-auth-partial-body", "true")
                .POST(HttpRequest.BodyPublishers.ofString("short"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    HttpAuthorizer.Received asked = http.next();
    assertThat(asked.headers().get("x-envoy-auth-partial-body")).containsExactly("false");
  }

  @Test
  void aProviderWithoutBodyInclusionGetsNoBodyAndTheUpstreamGetsIt() throws Exception {
    HttpResponse<String> r = post("/http-plain/x", bytes(200));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpAuthorizer.Received asked = http.next();
    assertThat(asked.body()).isEmpty();
    assertThat(asked.header("x-envoy-auth-partial-body")).isNull();
    assertThat(upstream.awaitRequest("/http-plain/x").path("body").asText())
        .isEqualTo(new String(bytes(200), StandardCharsets.US_ASCII));
  }

  @Test
  void aRequestWithoutABodyIsCheckedAtOnceWithoutOne() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(to("/http-body/get").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    HttpAuthorizer.Received asked = http.next();
    assertThat(asked.body()).isEmpty();
    // Envoy buffers nothing for a request that ended with its headers: no partial-body marker
    assertThat(asked.header("x-envoy-auth-partial-body")).isNull();
  }

  @Test
  void aGrpcProviderGetsTheBodyAsUtf8Text() throws Exception {
    String text = "grüße, body";
    HttpResponse<String> r = post("/grpc-body/x", text.getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(200);
    AttributeContext.HttpRequest asked = grpc.next().getAttributes().getRequest().getHttp();
    assertThat(asked.getBody()).isEqualTo(text);
    assertThat(asked.getRawBody().isEmpty()).isTrue();
    assertThat(asked.getHeadersMap()).containsEntry("x-envoy-auth-partial-body", "false");
    assertThat(upstream.awaitRequest("/grpc-body/x").path("body").asText()).isEqualTo(text);
  }

  @Test
  void aGrpcProviderWithPackAsBytesGetsRawBytesCutAndFlagged() throws Exception {
    byte[] body = bytes(40);
    body[0] = (byte) 0xff; // not UTF-8: raw_body carries it as it is
    HttpResponse<String> r = post("/grpc-raw/x", body);
    assertThat(r.statusCode()).isEqualTo(200);
    AttributeContext.HttpRequest asked = grpc.next().getAttributes().getRequest().getHttp();
    assertThat(asked.getRawBody().toByteArray()).isEqualTo(Arrays.copyOf(body, 16));
    assertThat(asked.getBody()).isEmpty();
    assertThat(asked.getHeadersMap()).containsEntry("x-envoy-auth-partial-body", "true");
    assertThat(upstream.awaitRequest("/grpc-raw/x").path("body").asText())
        .isEqualTo(new String(body, StandardCharsets.UTF_8));
  }

  @Test
  void overHttp2TheBodyIsCollectedTooAndTooLargeIs413() throws Exception {
    try (RawH2 h2 = RawH2.plain(proxy)) {
      h2.headers(1, RawH2.request("POST", "h2.test", "/grpc-body/h2", List.of()), false);
      h2.data(1, "first ".getBytes(StandardCharsets.UTF_8), false);
      h2.data(1, "second".getBytes(StandardCharsets.UTF_8), true);
      RawH2.Response ok = h2.await(1);
      assertThat(ok.status()).isEqualTo(200);
      h2.headers(3, RawH2.request("POST", "h2.test", "/http-body/h2big", List.of()), false);
      h2.data(3, bytes(65), true);
      RawH2.Response big = h2.await(3);
      assertThat(big.status()).isEqualTo(413);
      assertThat(big.bodyText()).isEqualTo("Payload Too Large");
    }
    AttributeContext.HttpRequest asked = grpc.next().getAttributes().getRequest().getHttp();
    assertThat(asked.getBody()).isEqualTo("first second");
    assertThat(upstream.awaitRequest("/grpc-body/h2").path("body").asText())
        .isEqualTo("first second");
    assertThat(http.pending()).isZero();
  }
}
