package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `meshguard extauthz --http --forward-auth traefik` from the shipped jar, called as Traefik's
 * `forwardAuth` middleware calls it: a GET to the configured address carrying the client's headers
 * and the original request in `X-Forwarded-Method`, `-Proto`, `-Host`, `-Uri` and `-For`. Traefik
 * forwards on any 2xx (copying `authResponseHeaders` to the upstream request) and otherwise relays
 * the answer's status, headers and body to the client, so those are what is asserted. Traefik
 * itself is not installable here; the calls are the bytes it sends.
 */
class TraefikForwardAuthIT {
  @TempDir static Path dir;
  private static final TestTokens KEYS = new TestTokens();
  private static MeshguardProcess extauthz;
  private static InetSocketAddress authz;

  private static String policies() {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: default
        spec:
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
          name: signed-in-readers
          namespace: default
        spec:
          action: ALLOW
          rules:
          - from:
            - source:
                requestPrincipals: ["*"]
            to:
            - operation:
                methods: ["GET"]
                hosts: ["shop.example.com"]
        """
        .formatted(TestTokens.ISSUER, KEYS.jwks());
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
            "--listen",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--forward-auth",
            "traefik");
    authz = extauthz.httpListenAddress();
  }

  @AfterAll
  static void stop() {
    if (extauthz != null) {
      assertThat(extauthz.terminate()).as(extauthz.transcript()).isZero();
    }
  }

  /** What Traefik's forwardAuth sends for a client's request. */
  private static RawHttp.Response forwardAuth(String method, String host, String uri, String token)
      throws IOException {
    return RawHttp.exchange(
        authz,
        "GET / HTTP/1.1\r\n"
            + "Host: "
            + authz.getAddress().getHostAddress()
            + ":"
            + authz.getPort()
            + "\r\n"
            + "User-Agent: curl/8.5.0\r\n"
            + "Accept: */*\r\n"
            + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
            + "X-Forwarded-For: 203.0.113.9\r\n"
            + "X-Forwarded-Host: "
            + host
            + "\r\n"
            + "X-Forwarded-Method: "
            + method
            + "\r\n"
            + "X-Forwarded-Port: 443\r\n"
            + "X-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Server: traefik-6d4f\r\n"
            + "X-Forwarded-Uri: "
            + uri
            + "\r\n"
            + "X-Real-Ip: 203.0.113.9\r\n"
            + "Accept-Encoding: gzip\r\n"
            + "Connection: close\r\n\r\n");
  }

  @Test
  void allowedWithTheClaimHeaderForAuthResponseHeaders() throws Exception {
    RawHttp.Response r =
        forwardAuth("GET", "shop.example.com", "/api/items?page=2", KEYS.valid("alice", Map.of()));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("x-jwt-sub")).isEqualTo("alice");
  }

  @Test
  void aBadTokenIs401WithTheChallengeForTheOriginalUrl() throws Exception {
    RawHttp.Response r =
        forwardAuth(
            "GET",
            "shop.example.com",
            "/api/items",
            TestTokens.tamper(KEYS.valid("alice", Map.of())));
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.header("www-authenticate"))
        .startsWith("Bearer realm=\"https://shop.example.com/api/items\"")
        .contains("error=\"invalid_token\"");
    assertThat(r.body()).isEqualTo("Jwt verification fails");
  }

  @Test
  void withoutATokenIs403WithEnvoysBody() throws Exception {
    RawHttp.Response r = forwardAuth("GET", "shop.example.com", "/api/items", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("RBAC: access denied");
    assertThat(r.header("x-jwt-sub")).isNull();
  }

  @Test
  void theForwardedMethodAndHostAreWhatIsDecided() throws Exception {
    String token = KEYS.valid("alice", Map.of());
    // the call itself is always a GET to meshguard's own address
    assertThat(forwardAuth("DELETE", "shop.example.com", "/api/items", token).status())
        .isEqualTo(403);
    assertThat(forwardAuth("GET", "admin.example.com", "/api/items", token).status())
        .isEqualTo(403);
  }

  @Test
  void aDeniedPathIs403EvenBehindDotSegments() throws Exception {
    String token = KEYS.valid("alice", Map.of());
    assertThat(forwardAuth("GET", "shop.example.com", "/admin/users", token).status())
        .isEqualTo(403);
    assertThat(forwardAuth("GET", "shop.example.com", "/api/../admin/users", token).status())
        .isEqualTo(403);
    assertThat(forwardAuth("GET", "shop.example.com", "/api/%2e%2e/admin/users", token).status())
        .isEqualTo(403);
  }

  @Test
  void aCallWithoutTheOriginalRequestIsABadRequest() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(
            authz,
            "GET /admin/users HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n");
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
  }
}
