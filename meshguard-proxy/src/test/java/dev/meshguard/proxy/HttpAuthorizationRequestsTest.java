package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.Workload;
import dev.meshguard.proxy.HttpAuthorizationRequests.Dialect;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a check call of each HTTP dialect becomes the request it describes. */
class HttpAuthorizationRequestsTest {
  private static final String PEER = "10.0.0.9";

  private static FullHttpRequest call(HttpMethod method, String uri, String... headers) {
    FullHttpRequest call = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      call.headers().add(headers[i], headers[i + 1]);
    }
    return call;
  }

  private static CheckRequest envoy(String prefix, FullHttpRequest call)
      throws BadRequestException {
    return new HttpAuthorizationRequests(Dialect.ENVOY, prefix, 0).toCheckRequest(call, PEER);
  }

  @Test
  void traefikDescribesMethodPathHostAndSchemeInForwardedHeaders() throws Exception {
    CheckRequest r =
        new HttpAuthorizationRequests(Dialect.TRAEFIK, "", 0)
            .toCheckRequest(
                call(
                    HttpMethod.GET,
                    "/",
                    "Host",
                    "meshguard:9000",
                    "X-Forwarded-Method",
                    "DELETE",
                    "X-Forwarded-Uri",
                    "/orders/7?force=1",
                    "X-Forwarded-Host",
                    "shop.example.com",
                    "X-Forwarded-Proto",
                    "HTTPS",
                    "Authorization",
                    "Bearer abc"),
                PEER);
    assertThat(r.method()).isEqualTo("DELETE");
    assertThat(r.rawPath()).isEqualTo("/orders/7?force=1");
    assertThat(r.host()).isEqualTo("shop.example.com");
    assertThat(r.scheme()).isEqualTo("https");
    assertThat(r.sourceIp()).isEqualTo(PEER);
    // the description is consumed; the original request's own headers remain
    assertThat(r.headers().contains("x-forwarded-uri")).isFalse();
    assertThat(r.headers().contains("x-forwarded-method")).isFalse();
    assertThat(r.headers().contains("x-forwarded-host")).isFalse();
    assertThat(r.headers().all("authorization")).containsExactly("Bearer abc");
  }

  @Test
  void traefikWithoutForwardedHostKeepsTheHostHeaderAndDefaultsToHttp() throws Exception {
    CheckRequest r =
        new HttpAuthorizationRequests(Dialect.TRAEFIK, "", 0)
            .toCheckRequest(
                call(
                    HttpMethod.GET,
                    "/",
                    "Host",
                    "shop.example.com",
                    "X-Forwarded-Method",
                    "GET",
                    "X-Forwarded-Uri",
                    "/"),
                PEER);
    assertThat(r.host()).isEqualTo("shop.example.com");
    assertThat(r.scheme()).isEqualTo("http");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x-forwarded-method", "x-forwarded-uri"})
  void traefikNeedsMethodAndUri(String missing) {
    FullHttpRequest call =
        call(HttpMethod.GET, "/", "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/a");
    call.headers().remove(missing);
    assertThatThrownBy(
            () -> new HttpAuthorizationRequests(Dialect.TRAEFIK, "", 0).toCheckRequest(call, PEER))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void twoForwardedUrisAreRefusedRatherThanChosenBetween() {
    FullHttpRequest call =
        call(
            HttpMethod.GET,
            "/",
            "X-Forwarded-Method",
            "GET",
            "X-Forwarded-Uri",
            "/public",
            "X-Forwarded-Uri",
            "/admin");
    assertThatThrownBy(
            () -> new HttpAuthorizationRequests(Dialect.TRAEFIK, "", 0).toCheckRequest(call, PEER))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  void nginxTakesThePathFromXOriginalUriAndTheMethodFromXOriginalMethod() throws Exception {
    CheckRequest r =
        new HttpAuthorizationRequests(Dialect.NGINX, "", 0)
            .toCheckRequest(
                call(
                    HttpMethod.GET,
                    "/_meshguard",
                    "Host",
                    "shop.example.com",
                    "X-Original-URI",
                    "/api/items",
                    "X-Original-Method",
                    "POST"),
                PEER);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.rawPath()).isEqualTo("/api/items");
    assertThat(r.host()).isEqualTo("shop.example.com");
    assertThat(r.headers().contains("x-original-uri")).isFalse();
  }

  @Test
  void withoutTheForwardAuthFlagTheForwardAuthHeadersDescribeNothing() throws Exception {
    CheckRequest r =
        envoy(
            "",
            call(
                HttpMethod.GET,
                "/public",
                "Host",
                "shop.example.com",
                "X-Original-URI",
                "/admin",
                "X-Original-Method",
                "DELETE",
                "X-Forwarded-Uri",
                "/admin",
                "X-Forwarded-Method",
                "DELETE",
                "X-Forwarded-Host",
                "admin.example.com",
                "X-Forwarded-Proto",
                "https"));
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.rawPath()).isEqualTo("/public");
    assertThat(r.host()).isEqualTo("shop.example.com");
    assertThat(r.scheme()).isEqualTo("http");
    // they are just headers of the original request, as any client could send
    assertThat(r.headers().all("x-original-uri")).containsExactly("/admin");
  }

  @Test
  void nginxDialectIgnoresTraefiksHeadersAndTheOtherWayRound() throws Exception {
    CheckRequest nginx =
        new HttpAuthorizationRequests(Dialect.NGINX, "", 0)
            .toCheckRequest(
                call(
                    HttpMethod.GET,
                    "/_auth",
                    "Host",
                    "shop.example.com",
                    "X-Original-URI",
                    "/public",
                    "X-Forwarded-Uri",
                    "/admin",
                    "X-Forwarded-Host",
                    "admin.example.com"),
                PEER);
    assertThat(nginx.rawPath()).isEqualTo("/public");
    assertThat(nginx.host()).isEqualTo("shop.example.com");
    CheckRequest traefik =
        new HttpAuthorizationRequests(Dialect.TRAEFIK, "", 0)
            .toCheckRequest(
                call(
                    HttpMethod.GET,
                    "/",
                    "X-Forwarded-Method",
                    "GET",
                    "X-Forwarded-Uri",
                    "/public",
                    "X-Original-URI",
                    "/admin",
                    "X-Original-Method",
                    "DELETE"),
                PEER);
    assertThat(traefik.rawPath()).isEqualTo("/public");
    assertThat(traefik.method()).isEqualTo("GET");
  }

  @Test
  void envoyPathLosesThePrefix() throws Exception {
    assertThat(envoy("/authz", call(HttpMethod.GET, "/authz/api?q=1")).rawPath())
        .isEqualTo("/api?q=1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api", "/auth/api", "/other/authz/api", "*"})
  void envoyPathWithoutThePrefixIsABadRequest(String uri) {
    assertThatThrownBy(() -> envoy("/authz", call(HttpMethod.GET, uri)))
        .isInstanceOf(BadRequestException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"api", "http://evil.example/admin", "?x=/admin"})
  void aPathMustStartWithASlash(String uri) {
    assertThatThrownBy(
            () ->
                new HttpAuthorizationRequests(Dialect.NGINX, "", 0)
                    .toCheckRequest(call(HttpMethod.GET, "/_auth", "X-Original-URI", uri), PEER))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  void aLowerCaseMethodIsRefused() {
    assertThatThrownBy(
            () ->
                new HttpAuthorizationRequests(Dialect.TRAEFIK, "", 0)
                    .toCheckRequest(
                        call(
                            HttpMethod.GET,
                            "/",
                            "X-Forwarded-Method",
                            "get",
                            "X-Forwarded-Uri",
                            "/admin"),
                        PEER))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  void theClientAddressComesFromTrustedForwardedForHops() throws Exception {
    CheckRequest r =
        new HttpAuthorizationRequests(Dialect.ENVOY, "", 1)
            .toCheckRequest(
                call(HttpMethod.GET, "/", "X-Forwarded-For", "203.0.113.5, 198.51.100.7"), PEER);
    assertThat(r.sourceIp()).isEqualTo(PEER);
    assertThat(r.remoteIp()).isEqualTo("198.51.100.7");
  }

  /**
   * The forward-auth headers carry the raw request target, so an attacker's dot segments reach the
   * engine as sent; it must normalise them as for a proxied request and deny `/admin/*`.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin/users",
        "/public/../admin/users",
        "/public/%2e%2e/admin/users",
        "/public/%2E%2E/admin/users",
        "/public/.%2e/admin/users",
        "/./admin/users",
        "/admin/./users",
        "/ADMIN/../admin/users"
      })
  void dotSegmentTricksInForwardedPathsAreDeniedLikeTheClearPath(String uri, @TempDir Path dir)
      throws Exception {
    PolicySnapshot policies = denyAdmin(dir);
    Decider engine =
        Decider.engine(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    for (Dialect dialect : List.of(Dialect.NGINX, Dialect.TRAEFIK)) {
      FullHttpRequest call =
          dialect == Dialect.NGINX
              ? call(HttpMethod.GET, "/_auth", "Host", "shop", "X-Original-URI", uri)
              : call(
                  HttpMethod.GET,
                  "/",
                  "X-Forwarded-Host",
                  "shop",
                  "X-Forwarded-Method",
                  "GET",
                  "X-Forwarded-Uri",
                  uri);
      Decision d =
          engine.decide(
              policies, new HttpAuthorizationRequests(dialect, "", 0).toCheckRequest(call, PEER));
      assertThat(d.allowed()).as("%s %s: %s", dialect, uri, d.reason()).isFalse();
    }
  }

  @Test
  void theSamePolicyAllowsOtherPaths(@TempDir Path dir) throws Exception {
    Decision d =
        Decider.engine(Clock.systemUTC())
            .decide(
                denyAdmin(dir),
                new HttpAuthorizationRequests(Dialect.NGINX, "", 0)
                    .toCheckRequest(
                        call(HttpMethod.GET, "/_auth", "X-Original-URI", "/public/../api"), PEER));
    assertThat(d.allowed()).as(d.reason()).isTrue();
  }

  private static PolicySnapshot denyAdmin(Path dir) throws IOException {
    Path file = dir.resolve("deny-admin.yaml");
    Files.writeString(
        file,
        """
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
                paths: ["/admin/*", "/admin"]
        """);
    LoadResult loaded =
        new FilePolicyLoader(
                List.of(file),
                null,
                null,
                new Workload("default", Map.of()),
                (rule, config) -> {
                  throw new UnsupportedOperationException("no remote keys");
                },
                false)
            .load();
    assertThat(loaded.errors()).isEmpty();
    return loaded.snapshot();
  }
}
