package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve` answers every JWT failure class as Envoy does (status, body, `www-authenticate`), and the
 * upstream gets the header changes of the JWT rule: token header removed, payload and claim outputs
 * set, spoofed copies gone.
 */
class ServeJwtIT {
  private static final String AUDIENCE = "meshguard-test";
  private static final TestTokens TOKENS = new TestTokens();

  @TempDir static Path dir;
  private static EchoUpstream upstream;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;
  private static InetSocketAddress admin;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Path config = dir.resolve("jwt.yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: foo
        spec:
          selector:
            matchLabels:
              app: httpbin
          jwtRules:
          - issuer: %s
            jwks: '%s'
            audiences: [%s]
            outputPayloadToHeader: x-jwt-payload
            outputClaimToHeaders:
            - header: x-jwt-sub
              claim: sub
          - issuer: https://remote.meshguard.test
            jwksUri: http://127.0.0.1:%d/jwks.json
            timeout: 2s
        """
            .formatted(TestTokens.ISSUER, TOKENS.jwks(), AUDIENCE, closedPort));
    upstream = new EchoUpstream();
    serve =
        MeshguardProcess.start(
            "serve",
            "--config",
            config.toString(),
            "--namespace",
            "foo",
            "--labels",
            "app=httpbin",
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0",
            "--access-log",
            "off",
            "--admin",
            "127.0.0.1:0");
    proxy = serve.listenAddress();
    admin = serve.adminAddress();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void clearUpstream() {
    upstream.received.clear();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> withToken(String token) throws Exception {
    return get("/api/items?x=1", "authorization", "Bearer " + token);
  }

  private void assertRejected(HttpResponse<String> r, int status, String body) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain");
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue(
            "Bearer realm=\"http://127.0.0.1:"
                + proxy.getPort()
                + "/api/items?x=1\", error=\"invalid_token\"");
    assertThat(upstream.received).as("a rejected request never reaches the upstream").isEmpty();
  }

  private static String validToken() {
    return TOKENS.sign(TestTokens.KID, TOKENS.claims().audience(AUDIENCE).build());
  }

  @Test
  void saysWhichCryptoProviderChecksTheSignatures() {
    // The executable jar carries ACCP's linux-x86_64 build, so on this platform it goes first and
    // checks every token these tests send.
    assertThat(serve.awaitStderr(l -> l.contains("crypto provider:")))
        .startsWith("meshguard serve: crypto provider: AmazonCorrettoCryptoProvider 2.5.0 (AWS-LC");
  }

  @Test
  void validTokenReachesTheUpstreamWithTheRulesHeaderChanges() throws Exception {
    String token = validToken();
    HttpResponse<String> r =
        get(
            "/api/items",
            "authorization",
            "Bearer " + token,
            "x-jwt-payload",
            "forged",
            "x-jwt-sub",
            "admin");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode got = upstream.received.poll(10, TimeUnit.SECONDS);
    assertThat(EchoUpstream.header(got, "authorization")).as("token header removed").isNull();
    assertThat(EchoUpstream.header(got, "x-jwt-payload")).isEqualTo(token.split("\\.", -1)[1]);
    assertThat(EchoUpstream.header(got, "x-jwt-sub")).isEqualTo("alice");
    assertThat(got.get("headers").toString()).doesNotContain("forged").doesNotContain("admin");
  }

  @Test
  void aTokenSentAgainComesFromTheVerifiedTokenCacheWithTheSameHeaderChanges() throws Exception {
    String token = validToken();
    double hitsBefore = metric("meshguard_jwt_cache_hits_total");
    double missesBefore = metric("meshguard_jwt_cache_misses_total");
    List<JsonNode> received = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      assertThat(get("/api/items", "authorization", "Bearer " + token).statusCode()).isEqualTo(200);
      received.add(upstream.received.poll(10, TimeUnit.SECONDS));
    }
    for (JsonNode got : received) {
      assertThat(EchoUpstream.header(got, "x-jwt-payload")).isEqualTo(token.split("\\.", -1)[1]);
      assertThat(EchoUpstream.header(got, "x-jwt-sub")).isEqualTo("alice");
    }
    assertThat(metric("meshguard_jwt_cache_misses_total") - missesBefore).isEqualTo(1);
    assertThat(metric("meshguard_jwt_cache_hits_total") - hitsBefore).isEqualTo(1);
    assertThat(metric("meshguard_jwt_cache_entries")).isPositive();
    assertThat(metric("meshguard_jwt_cache_capacity")).isEqualTo(524_288);
  }

  /** The value of an untagged metric on `/stats/prometheus`. */
  private static double metric(String name) throws Exception {
    String text =
        CLIENT
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.getPort() + "/stats/prometheus"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).strip());
      }
    }
    throw new AssertionError("no metric `" + name + "` in:\n" + text);
  }

  @Test
  void spoofedOutputHeadersWithoutATokenAreStripped() throws Exception {
    HttpResponse<String> r = get("/api/items", "x-jwt-payload", "forged", "x-jwt-sub", "admin");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode got = upstream.received.poll(10, TimeUnit.SECONDS);
    assertThat(EchoUpstream.header(got, "x-jwt-payload")).isNull();
    assertThat(EchoUpstream.header(got, "x-jwt-sub")).isNull();
  }

  @Test
  void expired() throws Exception {
    String token =
        TOKENS.sign(
            TestTokens.KID,
            TOKENS
                .claims()
                .audience(AUDIENCE)
                .expirationTime(Date.from(Instant.now().minusSeconds(3600)))
                .build());
    assertRejected(withToken(token), 401, "Jwt is expired");
  }

  @Test
  void notYetValid() throws Exception {
    String token =
        TOKENS.sign(
            TestTokens.KID,
            TOKENS
                .claims()
                .audience(AUDIENCE)
                .notBeforeTime(Date.from(Instant.now().plusSeconds(3600)))
                .build());
    assertRejected(withToken(token), 401, "Jwt not yet valid");
  }

  @Test
  void badSignature() throws Exception {
    assertRejected(withToken(TestTokens.tamper(validToken())), 401, "Jwt verification fails");
  }

  @Test
  void unknownIssuer() throws Exception {
    String token =
        TOKENS.sign(
            TestTokens.KID,
            TOKENS.claims().issuer("https://other.example").audience(AUDIENCE).build());
    assertRejected(withToken(token), 401, "Jwt issuer is not configured");
  }

  @Test
  void audienceNotAllowedIs403() throws Exception {
    String token = TOKENS.sign(TestTokens.KID, TOKENS.claims().audience("someone-else").build());
    assertRejected(withToken(token), 403, "Audiences in Jwt are not allowed");
  }

  @Test
  void unknownKid() throws Exception {
    String token = TOKENS.sign("no-such-kid", TOKENS.claims().audience(AUDIENCE).build());
    assertRejected(withToken(token), 401, "Jwks doesn't have key to match kid or alg from Jwt");
  }

  @Test
  void notThreeSegments() throws Exception {
    assertRejected(
        withToken("abc.def"),
        401,
        "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");
  }

  @Test
  void headerNotJson() throws Exception {
    String[] parts = validToken().split("\\.", -1);
    String header =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertRejected(
        withToken(header + "." + parts[1] + "." + parts[2]), 401, "Jwt header is an invalid JSON");
  }

  @Test
  void payloadNotJson() throws Exception {
    String[] parts = validToken().split("\\.", -1);
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertRejected(
        withToken(parts[0] + "." + payload + "." + parts[2]),
        401,
        "Jwt payload is an invalid JSON");
  }

  @Test
  void remoteKeysUnreachable() throws Exception {
    String token =
        TOKENS.sign(
            TestTokens.KID, TOKENS.claims().issuer("https://remote.meshguard.test").build());
    assertRejected(withToken(token), 401, "Jwks remote fetch is failed");
  }

  @Test
  void adminShowsRemoteKeyHealthAndJwtFailureMetrics() throws Exception {
    String token =
        TOKENS.sign(
            TestTokens.KID, TOKENS.claims().issuer("https://remote.meshguard.test").build());
    assertThat(withToken(token).statusCode()).isEqualTo(401);
    assertThat(withToken("abc.def").statusCode()).isEqualTo(401);
    upstream.received.clear();
    String dump =
        CLIENT
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.getPort() + "/config_dump"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    JsonNode jwks = EchoUpstream.JSON.readTree(dump).get("jwks");
    assertThat(jwks).hasSize(1);
    assertThat(jwks.get(0).get("issuer").asText()).isEqualTo("https://remote.meshguard.test");
    assertThat(jwks.get(0).get("status").asText()).isEqualTo("FAILED");
    String metrics =
        CLIENT
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.getPort() + "/stats/prometheus"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("meshguard_jwt_failures_total{reason=\"JWKS_FETCH_FAIL\"}")
        .contains("meshguard_jwt_failures_total{reason=\"JWT_BAD_FORMAT\"}");
  }

  @Test
  void servesAndCheckAgreeOnEveryClass() throws Exception {
    Path config = dir.resolve("jwt.yaml");
    List<String> tokens =
        List.of(
            validToken(),
            TestTokens.tamper(validToken()),
            TOKENS.sign(TestTokens.KID, TOKENS.claims().audience("someone-else").build()),
            "abc.def");
    for (String token : tokens) {
      HttpResponse<String> served = withToken(token);
      JsonNode checked =
          InProcessCheck.run(
              "check",
              "--config",
              config.toString(),
              "--namespace",
              "foo",
              "--labels",
              "app=httpbin",
              "--path",
              "/api/items?x=1",
              "--host",
              "127.0.0.1:" + proxy.getPort(),
              "--header",
              "authorization: Bearer " + token,
              "--json");
      assertThat(served.statusCode()).as(token).isEqualTo(checked.get("status").asInt());
      if (checked.has("body")) {
        assertThat(served.body()).isEqualTo(checked.get("body").asText());
      }
    }
    upstream.received.clear();
  }

  @Test
  void tokenInTheQueryIsVerifiedToo() throws Exception {
    HttpResponse<String> r = get("/api/items?access_token=" + TestTokens.tamper(validToken()));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("Jwt verification fails");
    Map<String, List<String>> h = r.headers().map();
    assertThat(h).containsKey("www-authenticate");
  }
}
