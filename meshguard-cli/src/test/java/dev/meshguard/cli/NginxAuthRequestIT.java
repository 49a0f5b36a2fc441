package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx (the Debian package) with `auth_request` in front of `meshguard extauthz --http
 * --forward-auth nginx` protects a real upstream: the claim header reaches the upstream through
 * `auth_request_set`, a bad token is 401 with `www-authenticate`, a denied path 403, also when the
 * client hides it behind `..`.
 */
class NginxAuthRequestIT {
  @TempDir static Path dir;
  private static final TestTokens KEYS = new TestTokens();
  private static EchoUpstream upstream;
  private static MeshguardProcess extauthz;
  private static Process nginx;
  private static InetSocketAddress front;

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
          name: signed-in
          namespace: default
        spec:
          action: ALLOW
          rules:
          - from:
            - source:
                requestPrincipals: ["*"]
        """
        .formatted(TestTokens.ISSUER, KEYS.jwks());
  }

  private static String nginxConf(int port, InetSocketAddress authz, String upstreamUrl) {
    return """
        worker_processes 1;
        error_log %1$s/error.log info;
        pid %1$s/nginx.pid;
        events { worker_connections 64; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          server {
            listen 127.0.0.1:%2$d;
            location / {
              auth_request /_meshguard;
              auth_request_set $jwt_sub $upstream_http_x_jwt_sub;
              auth_request_set $authz_challenge $upstream_http_www_authenticate;
              proxy_set_header x-jwt-sub $jwt_sub;
              add_header WWW-Authenticate $authz_challenge always;
              proxy_pass %4$s;
            }
            location = /_meshguard {
              internal;
              proxy_pass http://%3$s;
              proxy_pass_request_body off;
              proxy_set_header Content-Length "";
              proxy_set_header Host $host;
              proxy_set_header X-Original-URI $request_uri;
              proxy_set_header X-Original-Method $request_method;
            }
          }
        }
        """
        .formatted(
            dir.toAbsolutePath(),
            port,
            authz.getAddress().getHostAddress() + ":" + authz.getPort(),
            upstreamUrl);
  }

  private static Path nginxBinary() {
    for (String candidate : new String[] {"/usr/sbin/nginx", "/usr/local/sbin/nginx"}) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    return null;
  }

  @BeforeAll
  static void start() throws Exception {
    Path binary = nginxBinary();
    Assumptions.assumeTrue(
        binary != null, "nginx is not installed (Debian package `nginx`: apt-get install nginx)");
    upstream = new EchoUpstream();
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
            "nginx");
    InetSocketAddress authz = extauthz.httpListenAddress();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, nginxConf(port, authz, upstream.url()));
    nginx =
        new ProcessBuilder(
                binary.toString(), "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    awaitListening(front);
  }

  private static void awaitListening(InetSocketAddress address) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Socket s = new Socket(address.getAddress(), address.getPort())) {
        return;
      } catch (IOException e) {
        if (!nginx.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError(
              "nginx did not start: " + Files.readString(dir.resolve("nginx.out")), e);
        }
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
    if (extauthz != null) {
      assertThat(extauthz.terminate()).as(extauthz.transcript()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static RawHttp.Response get(String target, String token) throws IOException {
    return RawHttp.exchange(
        front,
        "GET "
            + target
            + " HTTP/1.1\r\nHost: shop.example.com\r\n"
            + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
            // a client's own claim header must not reach the upstream
            + "x-jwt-sub: forged\r\nConnection: close\r\n\r\n");
  }

  @Test
  void allowedWithTheClaimHeaderForTheUpstream() throws Exception {
    upstream.received.clear();
    RawHttp.Response r = get("/api/items", KEYS.valid("alice", Map.of()));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode seen = upstream.received.poll(10, TimeUnit.SECONDS);
    assertThat(seen).isNotNull();
    assertThat(EchoUpstream.header(seen, "x-jwt-sub")).isEqualTo("alice");
  }

  @Test
  void aBadTokenIs401WithTheChallenge() throws Exception {
    RawHttp.Response r = get("/api/items", TestTokens.tamper(KEYS.valid("alice", Map.of())));
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.header("www-authenticate"))
        .startsWith("Bearer realm=\"http://shop.example.com/api/items\"")
        .contains("error=\"invalid_token\"");
  }

  @Test
  void withoutATokenIs403() throws Exception {
    RawHttp.Response r = get("/api/items", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
  }

  @Test
  void aDeniedPathIs403EvenBehindDotSegments() throws Exception {
    String token = KEYS.valid("alice", Map.of());
    assertThat(get("/admin/users", token).status()).isEqualTo(403);
    assertThat(get("/api/../admin/users", token).status()).isEqualTo(403);
    assertThat(get("/api/%2e%2e/admin/users", token).status()).isEqualTo(403);
  }
}
