package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the token and identity headers of the real `serve` over a raw socket (issue 10):
 * repeated `Authorization` lines are joined as Envoy's codec joins them, text after a token stays
 * part of it, and a client's copy of any rule's claim header never reaches the upstream, whichever
 * rule verified.
 */
class ServeJwtHeadersIT {
  private static final TestTokens TOKENS = new TestTokens();
  private static final String ISSUER_B = "https://z.meshguard.test";

  @TempDir static Path dir;
  private static RawUpstream upstream;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;

  @BeforeAll
  static void start() throws Exception {
    Path config = dir.resolve("jwt.yaml");
    // issuer B sorts after the test issuer, so its provider is evaluated second
    assertThat(ISSUER_B).isGreaterThan(TestTokens.ISSUER);
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: foo}
        spec:
          jwtRules:
          - issuer: %s
            jwks: '%s'
            outputClaimToHeaders: [{header: x-a-sub, claim: sub}]
          - issuer: %s
            jwks: '%s'
            outputClaimToHeaders: [{header: x-jwt-sub, claim: sub}]
            outputPayloadToHeader: x-jwt-payload
        """
            .formatted(TestTokens.ISSUER, TOKENS.jwks(), ISSUER_B, TOKENS.jwks()));
    upstream = new RawUpstream();
    serve =
        MeshguardProcess.start(
            "serve",
            "--config",
            config.toString(),
            "--namespace",
            "foo",
            "--upstream",
            upstream.url(),
            "--listen",
            "127.0.0.1:0",
            "--access-log",
            "off");
    proxy = serve.listenAddress();
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void clear() {
    upstream.requests.clear();
  }

  private static String token(String issuer, String subject) {
    return TOKENS.sign(TestTokens.KID, TOKENS.claims().issuer(issuer).subject(subject).build());
  }

  private static RawHttp.Response send(String... headerLines) throws Exception {
    StringBuilder request = new StringBuilder("GET /headers HTTP/1.1\r\nHost: shop\r\n");
    for (String h : headerLines) {
      request.append(h).append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    return RawHttp.exchange(proxy, request.toString());
  }

  private static void assertRejected(RawHttp.Response r, String body) {
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(body);
    assertThat(upstream.requests).as("nothing reaches the upstream").isEmpty();
  }

  @Test
  void anInvalidFirstAuthorizationLineIsNotRescuedByAValidSecondOne() throws Exception {
    String good = token(TestTokens.ISSUER, "alice");
    assertRejected(
        send("Authorization: Bearer junk", "Authorization: Bearer " + good),
        "Jwt header is an invalid Base64url encoded");
  }

  @Test
  void aValidFirstLineIsSpoiledByWhatFollowsIt() throws Exception {
    String good = token(TestTokens.ISSUER, "alice");
    assertRejected(
        send("Authorization: Bearer " + good, "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
        "Jwt signature is an invalid Base64url encoded");
    assertRejected(
        send("Authorization: Bearer " + good, "Authorization: Bearer " + good),
        "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");
  }

  @Test
  void aFirstLineWithoutThePrefixLeavesTheTokenToTheSecond() throws Exception {
    String good = token(TestTokens.ISSUER, "alice");
    RawHttp.Response r =
        send("Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Authorization: Bearer " + good);
    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received got = upstream.requests.poll(10, TimeUnit.SECONDS);
    assertThat(got).isNotNull();
    assertThat(values(got, "authorization")).as("the token header is removed").isEmpty();
    assertThat(values(got, "x-a-sub")).containsExactly("alice");
  }

  @Test
  void textAfterTheTokenIsPartOfTheTokenAsInEnvoy129() throws Exception {
    String good = token(TestTokens.ISSUER, "alice");
    assertRejected(send("Authorization: Bearer " + good + " junk"), "Jwt verification fails");
    assertRejected(
        send("Authorization: Bearer " + good + ",xyz"),
        "Jwt signature is an invalid Base64url encoded");
  }

  @Test
  void spoofedClaimHeadersOfTheOtherRuleAreStrippedWhenTheFirstRuleVerifies() throws Exception {
    RawHttp.Response r =
        send(
            "x-jwt-sub: admin",
            "X-Jwt-Sub: root",
            "x-jwt-payload: eyJzdWIiOiJhZG1pbiJ9",
            "x-a-sub: admin",
            "Authorization: Bearer " + token(TestTokens.ISSUER, "alice"));
    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received got = upstream.requests.poll(10, TimeUnit.SECONDS);
    assertThat(got).isNotNull();
    assertThat(values(got, "x-jwt-sub")).isEmpty();
    assertThat(values(got, "x-jwt-payload")).isEmpty();
    assertThat(values(got, "x-a-sub")).containsExactly("alice");
  }

  @Test
  void spoofedClaimHeadersAreStrippedWithoutAToken() throws Exception {
    RawHttp.Response r = send("x-jwt-sub: admin", "x-a-sub: admin");
    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received got = upstream.requests.poll(10, TimeUnit.SECONDS);
    assertThat(got).isNotNull();
    assertThat(values(got, "x-jwt-sub")).isEmpty();
    assertThat(values(got, "x-a-sub")).isEmpty();
  }

  @Test
  void theSecondRuleSetsItsOwnHeaders() throws Exception {
    RawHttp.Response r =
        send("x-jwt-sub: admin", "Authorization: Bearer " + token(ISSUER_B, "bob"));
    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received got = upstream.requests.poll(10, TimeUnit.SECONDS);
    assertThat(got).isNotNull();
    assertThat(values(got, "x-jwt-sub")).containsExactly("bob");
    assertThat(values(got, "x-a-sub")).isEmpty();
  }

  private static List<String> values(RawUpstream.Received r, String name) {
    return r.headers().stream()
        .filter(h -> h.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .toList();
  }
}
