package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve --capture` (the real jar) records real traffic; `replay` (the real jar) reports exactly
 * the decisions a known policy change flips, and none for the policies the capture was made with.
 */
class ReplayIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  private final TestTokens tokens = new TestTokens();

  /** Readers and admins may read the API; /public is open; nothing else is allowed. */
  private String policies(String apiGroups, boolean openHealth, String jwks) {
    return """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: foo}
        spec:
          jwtRules:
          - issuer: %s
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: api, namespace: foo}
        spec:
          rules:
          - to: [{operation: {paths: ["/api/*"]}}]
            when: [{key: "request.auth.claims[groups]", values: %s}]
          - to: [{operation: {paths: ["/public/*"%s]}}]
        """
        .formatted(TestTokens.ISSUER, jwks, apiGroups, openHealth ? ", \"/health\"" : "");
  }

  private String token(String subject, String group, long expiresIn) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(TestTokens.ISSUER)
            .subject(subject)
            .claim("groups", List.of(group))
            .expirationTime(Date.from(Instant.now().plusSeconds(expiresIn)))
            .build();
    return tokens.sign(TestTokens.KID, claims);
  }

  /** Sends the traffic through a capturing `serve`; returns the capture file. */
  private Path capture(Path config, String name, String... extra) throws Exception {
    Path capture = dir.resolve(name);
    try (EchoUpstream upstream = new EchoUpstream()) {
      List<String> args =
          new java.util.ArrayList<>(
              List.of(
                  "serve",
                  "--config",
                  config.toString(),
                  "--namespace",
                  "foo",
                  "--labels",
                  "app=api",
                  "--upstream",
                  upstream.url(),
                  "--listen",
                  "127.0.0.1:0",
                  "--access-log",
                  "off",
                  "--capture",
                  capture.toString()));
      args.addAll(List.of(extra));
      try (MeshguardProcess serve = MeshguardProcess.start(args.toArray(String[]::new))) {
        int port = serve.listenAddress().getPort();
        String reader = token("rita", "readers", 3600);
        String admin = token("ada", "admins", 3600);
        Map<String, Integer> sent = new java.util.LinkedHashMap<>();
        sent.put(send(port, "/api/items", reader), 200);
        sent.put(send(port, "/api/items/7", reader), 200);
        sent.put(send(port, "/api/items", admin), 200);
        sent.put(send(port, "/public/index.html", null), 200);
        sent.put(send(port, "/health", null), 403);
        sent.put(send(port, "/api/items", token("old", "admins", -3600)), 401);
        sent.put(send(port, "/api/items", TestTokens.tamper(reader)), 401);
        sent.put(send(port, "/api/items?x=1", null), 403);
        sent.forEach((got, expected) -> assertThat(got).startsWith(expected + " "));
        assertThat(serve.terminate()).as(serve.transcript()).isZero();
        assertThat(serve.stderr).anyMatch(l -> l.contains("capturing decisions to " + capture));
      }
    }
    return capture;
  }

  private static String send(int port, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + path + " " + r.hashCode();
  }

  private static MeshguardProcess replay(Path capture, Path config, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("replay", "--capture", capture.toString(), "--config", config.toString()));
    args.addAll(List.of(extra));
    return MeshguardProcess.start(args.toArray(String[]::new));
  }

  @Test
  void replayReportsExactlyTheFlipsOfAPolicyChange() throws Exception {
    Path v1 = dir.resolve("v1.yaml");
    Files.writeString(v1, policies("[readers, admins]", false, tokens.jwks()));
    Path capture = capture(v1, "capture.jsonl");

    String text = Files.readString(capture);
    assertThat(text.lines().count()).isEqualTo(9); // the header and one line per request
    assertThat(text).doesNotContain(token("rita", "readers", 3600).split("\\.")[2]);
    assertThat(text).contains("\"sub\":\"rita\"").contains("@@meshguard-token-0@@");

    // the same policies: nothing flips, stand-in tokens included
    try (MeshguardProcess same = replay(capture, v1)) {
      assertThat(same.awaitExit()).as(same.transcript()).isZero();
      assertThat(same.stdout)
          .last()
          .isEqualTo(
              "8 requests replayed: 0 flipped (0 allowed -> denied, 0 denied -> allowed), 8 unchanged");
    }

    // readers lose the API; /health opens
    Path v2 = dir.resolve("v2.yaml");
    Files.writeString(v2, policies("[admins]", true, tokens.jwks()));
    try (MeshguardProcess changed = replay(capture, v2)) {
      assertThat(changed.awaitExit()).as(changed.transcript()).isEqualTo(1);
      assertThat(changed.stdout)
          .contains(
              "allowed -> denied: 2",
              "  2  now 403: no ALLOW policy matched (ALLOW policies: `foo/api`)",
              "denied -> allowed: 1",
              "  1  was 403: no ALLOW policy matched (ALLOW policies: `foo/api`); now: allowed by"
                  + " ALLOW policy `foo/api` rule 1 [policy foo/api]")
          .last()
          .isEqualTo(
              "8 requests replayed: 3 flipped (2 allowed -> denied, 1 denied -> allowed), 5 unchanged");
      assertThat(changed.stdout.stream().filter(l -> l.startsWith("       e.g. GET ")))
          .hasSize(3)
          .anyMatch(l -> l.contains("/api/items/7  principal " + TestTokens.ISSUER + "/rita"))
          .anyMatch(l -> l.contains("/health  principal none"));
    }

    Cli.Result json =
        Cli.run("replay", "--capture", capture.toString(), "--config", v2.toString(), "-o", "json");
    assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
    JsonNode report = JSON.readTree(json.out());
    assertThat(report.path("flips").asInt()).isEqualTo(3);
    assertThat(report.path("groups").get(0).path("count").asInt()).isEqualTo(2);
    assertThat(report.path("groups").get(0).path("direction").asText())
        .isEqualTo("allowed->denied");
    assertThat(report.path("groups").get(1).path("policy").asText()).isEqualTo("foo/api");
  }

  @Test
  void withCaptureTokensAKeyRotationFlipsEveryTokenRequest() throws Exception {
    Path v1 = dir.resolve("v1.yaml");
    Files.writeString(v1, policies("[readers, admins]", false, tokens.jwks()));
    Path capture = capture(v1, "with-tokens.jsonl", "--capture-tokens");
    assertThat(Files.readString(capture)).contains("Bearer ey").doesNotContain("@@meshguard-token");

    // the issuer's key replaced by another: the three requests allowed with a token now get 401
    Path rotated = dir.resolve("rotated.yaml");
    Files.writeString(rotated, policies("[readers, admins]", false, new TestTokens().jwks()));
    try (MeshguardProcess p = replay(capture, rotated)) {
      assertThat(p.awaitExit()).as(p.transcript()).isEqualTo(1);
      assertThat(p.stdout)
          .contains("allowed -> denied: 3", "  3  now 401: Jwt verification fails")
          .last()
          .isEqualTo(
              "8 requests replayed: 3 flipped (3 allowed -> denied, 0 denied -> allowed), 5 unchanged");
    }
  }
}
