package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.meshguard.cli.EnvoyCheck.Headers;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * `meshguard extauthz` from the shipped jar, called as Envoy's ext_authz filter calls it: requests
 * built field by field as Envoy builds them ({@link EnvoyCheck}), with the headers in Envoy's
 * default `headers` map and in the `header_map` of `encode_raw_headers`, the route's
 * `context_extensions`, mTLS principals and socket addresses. The policies look at every part of
 * the request, so each answer shows that part arrived: allowed with the header changes for the
 * upstream, 401 with `www-authenticate`, 403 with the denying policy.
 */
class ExtAuthzEnvoyIT {
  private static final String HOST = "httpbin.example.com";
  private static final String CALLER = "spiffe://cluster.local/ns/frontend/sa/web";
  private static final String SELF = "spiffe://cluster.local/ns/default/sa/httpbin";

  @TempDir static Path dir;
  private static final TestTokens KEYS = new TestTokens();
  private static MeshguardProcess extauthz;
  private static ManagedChannel channel;
  private static AuthorizationGrpc.AuthorizationBlockingStub client;

  private static String policies() {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: default
        spec:
          selector:
            matchLabels:
              app: httpbin
          jwtRules:
          - issuer: %s
            jwks: '%s'
            outputClaimToHeaders:
            - header: x-jwt-sub
              claim: sub
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-admin
          namespace: default
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["/admin/*"]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: frontend
          namespace: default
        spec:
          selector:
            matchLabels:
              app: httpbin
          action: ALLOW
          rules:
          - from:
            - source:
                principals: ["cluster.local/ns/frontend/sa/web"]
                requestPrincipals: ["%s/*"]
                ipBlocks: ["10.244.0.0/16"]
            to:
            - operation:
                methods: ["GET"]
                hosts: ["%s"]
                ports: ["8080"]
                paths: ["/api/*", "/admin/*"]
            when:
            - key: request.headers[x-tenant]
              values: ["acme"]
        """
        .formatted(TestTokens.ISSUER, KEYS.jwks(), TestTokens.ISSUER, HOST);
  }

  @BeforeAll
  static void start() throws Exception {
    Path config = dir.resolve("policies.yaml");
    Files.writeString(config, policies());
    extauthz =
        MeshguardProcess.start(
            "extauthz",
            "--config",
            config.toString(),
            "--namespace",
            "default",
            "--labels",
            "app=httpbin,version=v1",
            "--listen",
            "127.0.0.1:0");
    channel = NettyChannelBuilder.forAddress(extauthz.listenAddress()).usePlaintext().build();
    client = AuthorizationGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (extauthz != null) {
      assertThat(extauthz.terminate()).as(extauthz.transcript()).isZero();
      assertThat(extauthz.stderr)
          .as("nothing went wrong inside")
          .noneMatch(l -> l.contains("Exception") || l.contains("Error:"));
    }
  }

  /** What a sidecar's Envoy sends for a call from the frontend, before the test changes it. */
  private static EnvoyCheck fromFrontend(String path, String token) {
    EnvoyCheck request =
        new EnvoyCheck()
            .path(path)
            .host(HOST)
            .source("10.244.1.7", 53122, CALLER)
            .destination("10.244.2.9", 8080, SELF)
            .header("user-agent", "curl/8.5.0")
            .header("accept", "*/*")
            .header("x-tenant", "acme")
            .header("x-forwarded-proto", "http")
            .header("x-request-id", "3d6a1f0e-7c2b-4f5e-9a41-0c8b2e6d9f10")
            .contextExtension("virtual_host", "inbound|http|8080")
            .contextExtension("route", "api");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  private static CheckResponse check(EnvoyCheck request, Headers encoding) {
    return client.withDeadlineAfter(30, TimeUnit.SECONDS).check(request.build(encoding));
  }

  private static String token() {
    return KEYS.valid("alice", Map.of());
  }

  private static String metadata(CheckResponse r, String key) {
    return r.getDynamicMetadata()
        .getFieldsOrThrow("meshguard")
        .getStructValue()
        .getFieldsOrThrow(key)
        .getStringValue();
  }

  private static void assertDenied(CheckResponse r, String policy) {
    assertThat(r.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
    assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(r.getDeniedResponse().getBody()).isEqualTo("RBAC: access denied");
    assertThat(metadata(r, "outcome")).isEqualTo("DENIED_AUTHORIZATION");
    if (policy != null) {
      assertThat(metadata(r, "policy")).isEqualTo(policy);
    }
  }

  @ParameterizedTest
  @EnumSource(Headers.class)
  void allowedWithTheHeaderChangesForTheUpstream(Headers encoding) {
    CheckResponse r = check(fromFrontend("/api/items?page=2", token()), encoding);
    assertThat(r.getStatus().getCode()).as(r.toString()).isEqualTo(Status.Code.OK.value());
    assertThat(r.getOkResponse().getHeadersToRemoveList()).containsExactly("authorization");
    assertThat(r.getOkResponse().getHeadersList())
        .extracting(
            HeaderValueOption::getAppendAction,
            h -> h.getHeader().getKey(),
            h -> h.getHeader().getValue())
        .containsExactly(
            tuple(HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD, "x-jwt-sub", "alice"));
    assertThat(metadata(r, "outcome")).isEqualTo("ALLOWED");
    assertThat(metadata(r, "principal")).isEqualTo(TestTokens.ISSUER + "/alice");
  }

  @ParameterizedTest
  @EnumSource(Headers.class)
  void aBadTokenIs401WithWwwAuthenticate(Headers encoding) {
    CheckResponse r = check(fromFrontend("/api/items", TestTokens.tamper(token())), encoding);
    assertThat(r.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
    assertThat(r.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(r.getDeniedResponse().getBody()).isEqualTo("Jwt verification fails");
    assertThat(r.getDeniedResponse().getHeadersList())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.getHeader().getKey()).isEqualTo("www-authenticate");
              assertThat(h.getHeader().getValue())
                  .isEqualTo(
                      "Bearer realm=\"http://" + HOST + "/api/items\", error=\"invalid_token\"");
            });
    assertThat(metadata(r, "outcome")).isEqualTo("DENIED_AUTHENTICATION");
  }

  /** Each part of the request the ALLOW rule looks at, changed one at a time: 403 each time. */
  @ParameterizedTest
  @EnumSource(Headers.class)
  void everyPartOfTheRequestCounts(Headers encoding) {
    String token = token();
    assertDenied(check(fromFrontend("/api/items", null), encoding), null);
    assertDenied(check(fromFrontend("/api/items", token).method("POST"), encoding), null);
    assertDenied(check(fromFrontend("/api/items", token).host("evil.example.com"), encoding), null);
    assertDenied(check(fromFrontend("/other", token), encoding), null);
    assertDenied(
        check(fromFrontend("/api/items", token).source("10.244.1.7", 53122, SELF), encoding), null);
    assertDenied(
        check(fromFrontend("/api/items", token).source("192.168.9.9", 53122, CALLER), encoding),
        null);
    assertDenied(
        check(fromFrontend("/api/items", token).destination("10.244.2.9", 9090, SELF), encoding),
        null);
    EnvoyCheck otherTenant =
        new EnvoyCheck()
            .path("/api/items")
            .host(HOST)
            .source("10.244.1.7", 53122, CALLER)
            .destination("10.244.2.9", 8080, SELF)
            .header("x-tenant", "globex")
            .header("authorization", "Bearer " + token)
            .contextExtension("route", "api");
    assertDenied(check(otherTenant, encoding), null);
    // the same request the ALLOW rule lets through, on a path a DENY policy covers
    assertDenied(check(fromFrontend("/admin/users", token), encoding), "default/deny-admin");
  }
}
