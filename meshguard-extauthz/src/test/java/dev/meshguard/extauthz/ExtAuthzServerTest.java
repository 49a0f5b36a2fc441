package dev.meshguard.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.Workload;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ext_authz server over a real socket, called by a real gRPC client. */
class ExtAuthzServerTest {
  @TempDir static Path dir;
  private static Path config;
  private static RemoteJwksSources jwks;
  private static ExtAuthzServer server;
  private static ManagedChannel channel;
  private static AuthorizationGrpc.AuthorizationBlockingStub client;
  private static final String TOKEN = resource("jwt/demo.jwt").trim();

  static String resource(String name) {
    try (InputStream in = ExtAuthzServerTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String policies(String userRule) {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: default
        spec:
          jwtRules:
          - issuer: testing@secure.istio.io
            jwks: '%s'
            outputClaimToHeaders:
            - header: x-jwt-foo
              claim: foo
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-admin
          namespace: default
        spec:
          action: DENY
          rules:
          - when:
            - key: request.headers[x-role]
              values: ["admin"]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: allow
          namespace: default
        spec:
          rules:
          - to:
            - operation:
                paths: ["/public"]
          - to:
            - operation:
                paths: ["/user"]
            when:
            - key: request.headers[x-user]
              values: [%s]
          - from:
            - source:
                requestPrincipals: ["*"]
            to:
            - operation:
                paths: ["/token"]
        """
        .formatted(resource("jwt/jwks.json").replace("\n", "").replace("'", "''"), userRule);
  }

  @BeforeAll
  static void start() throws IOException {
    config = dir.resolve("policies.yaml");
    Files.writeString(config, policies("\"alice\""));
    jwks = new RemoteJwksSources(RemoteJwksOptions.defaults());
    FilePolicyLoader loader =
        new FilePolicyLoader(
            List.of(config), null, null, new Workload("default", Map.of()), jwks::remote, true);
    LoadResult initial = loader.load();
    assertThat(initial.ok()).as("%s", initial.errors()).isTrue();
    server =
        ExtAuthzServer.start(
            loader,
            initial,
            ExtAuthzServer.Settings.listeningOn(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(100)),
            Decider.engine(Clock.systemUTC()),
            new PrintStream(PrintStream.nullOutputStream()));
    channel = NettyChannelBuilder.forAddress(server.address()).usePlaintext().build();
    client = AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdown(Duration.ofSeconds(5));
    jwks.close();
  }

  private static CheckResponse check(String path, List<Map.Entry<String, String>> headers) {
    return client.check(
        EnvoyRequests.request(
            EnvoyRequests.withRawHeaders(EnvoyRequests.http("GET", path), headers)));
  }

  @Test
  void allowsAndDeniesAsRbac() {
    assertThat(check("/public", List.of()).getStatus().getCode()).isZero();
    CheckResponse denied = check("/private", List.of());
    assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
    assertThat(denied.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(denied.getDeniedResponse().getBody()).isEqualTo("RBAC: access denied");
  }

  @Test
  void everyValueOfARepeatedHeaderCounts() {
    // security rows 14 and 21: with `header_map` every line reaches the engine, which tries the
    // joined value and each value, as `serve` and `check` do; `admin` hidden behind another value
    // is still denied
    assertThat(check("/user", List.of(Map.entry("x-user", "alice"))).getStatus().getCode())
        .isZero();
    CheckResponse adminFirst =
        check("/public", List.of(Map.entry("x-role", "admin"), Map.entry("x-role", "user")));
    assertThat(adminFirst.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    CheckResponse adminLast =
        check("/public", List.of(Map.entry("x-role", "user"), Map.entry("x-role", "admin")));
    assertThat(adminLast.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(
            check("/user", List.of(Map.entry("x-user", "bob"), Map.entry("x-user", "alice")))
                .getStatus()
                .getCode())
        .isZero();
  }

  @Test
  void theJoinedHeadersMapIsOneValue() {
    // without `encode_raw_headers` Envoy joins repeated lines into one value: decided as `check`
    // decides one `x-user: bob,alice` line
    CheckResponse joined =
        client.check(
            EnvoyRequests.request(
                EnvoyRequests.withHeaderMap(
                    EnvoyRequests.http("GET", "/user"),
                    List.of(Map.entry("x-user", "bob"), Map.entry("x-user", "alice")))));
    assertThat(joined.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
  }

  @Test
  void aValidTokenIsDroppedAndItsClaimReplacesASpoofedHeader() {
    CheckResponse r =
        check(
            "/token",
            List.of(
                Map.entry("authorization", "Bearer " + TOKEN), Map.entry("x-jwt-foo", "spoofed")));
    assertThat(r.getStatus().getCode()).isZero();
    assertThat(r.getOkResponse().getHeadersToRemoveList()).containsExactly("authorization");
    assertThat(r.getOkResponse().getHeadersList())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.getHeader().getKey()).isEqualTo("x-jwt-foo");
              assertThat(h.getHeader().getValue()).isEqualTo("bar");
            });
  }

  @Test
  void aTamperedTokenIsUnauthenticated() {
    String tampered = TOKEN.substring(0, TOKEN.length() - 5) + "AAAAA";
    CheckResponse r = check("/token", List.of(Map.entry("authorization", "Bearer " + tampered)));
    assertThat(r.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
    assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(r.getDeniedResponse().getBody()).isEqualTo("Jwt verification fails");
    assertThat(r.getDeniedResponse().getHeadersList())
        .anySatisfy(
            h -> {
              assertThat(h.getHeader().getKey()).isEqualTo("www-authenticate");
              assertThat(h.getHeader().getValue())
                  .isEqualTo("Bearer realm=\"http://bookinfo/token\", error=\"invalid_token\"");
            });
  }

  @Test
  void healthServiceServes() {
    HealthCheckResponse health =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .check(
                HealthCheckRequest.newBuilder().setService(AuthorizationGrpc.SERVICE_NAME).build());
    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void drainingTurnsHealthToNotServingAndStillAnswers() throws Exception {
    try (ExtAuthzServer draining =
        ExtAuthzServer.start(
            server.config().loader(),
            server.config().loader().load(),
            ExtAuthzServer.Settings.listeningOn(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null),
            Decider.engine(Clock.systemUTC()),
            new PrintStream(PrintStream.nullOutputStream()))) {
      ManagedChannel ch = NettyChannelBuilder.forAddress(draining.address()).usePlaintext().build();
      try {
        draining.startDraining();
        HealthCheckResponse health =
            HealthGrpc.newBlockingStub(ch)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("").build());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
        CheckResponse r =
            AuthorizationGrpc.newBlockingStub(ch)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .check(EnvoyRequests.request(EnvoyRequests.http("GET", "/public")));
        assertThat(r.getStatus().getCode()).isZero();
      } finally {
        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void neverFailsOpen() throws IOException, InterruptedException {
    try (ExtAuthzServer failing =
        ExtAuthzServer.start(
            server.config().loader(),
            server.config().loader().load(),
            ExtAuthzServer.Settings.listeningOn(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null),
            (snapshot, request) -> {
              throw new IllegalStateException("broken decider");
            },
            new PrintStream(PrintStream.nullOutputStream()))) {
      ManagedChannel ch = NettyChannelBuilder.forAddress(failing.address()).usePlaintext().build();
      try {
        CheckResponse r =
            AuthorizationGrpc.newBlockingStub(ch)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .check(
                    EnvoyRequests.request(
                        AttributeContext.HttpRequest.newBuilder()
                            .setMethod("GET")
                            .setPath("/public")));
        assertThat(r.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
        assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
      } finally {
        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void reloadsWhenTheConfigurationChanges() throws Exception {
    try {
      Files.writeString(config, policies("\"alice\", \"bob\""));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int code;
      do {
        Thread.sleep(50);
        code = check("/user", List.of(Map.entry("x-user", "bob"))).getStatus().getCode();
      } while (code != 0 && System.nanoTime() < deadline);
      assertThat(code).as("bob is allowed after the reload").isZero();
    } finally {
      Files.writeString(config, policies("\"alice\""));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (check("/user", List.of(Map.entry("x-user", "bob"))).getStatus().getCode() == 0
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
  }
}
