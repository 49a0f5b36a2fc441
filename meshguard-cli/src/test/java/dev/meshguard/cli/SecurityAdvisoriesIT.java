package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The past Istio and Envoy advisories of `peers-and-security.md` section 4 that concern the data
 * plane, replayed against the real jar over raw sockets. Rows covered elsewhere: 7 (demo keys,
 * `ServeFaqIT`), 10 and 13 in every normalisation mode (`PathBypassIT`), 14 (`ExtAuthzParityTest`
 * and `ExtAuthzFaqIT`). Rows 8, 11, 15, 16, 23 and 24 are about configuration and mTLS identities:
 * `validate` and the conformance corpus test them, `serve` cannot express an mTLS peer.
 */
@SuppressWarnings("StringConcatToTextBlock") // requests are CRLF wire text
class SecurityAdvisoriesIT {
  private static final TestTokens TOKENS = new TestTokens();
  private static final String FAILING_ISSUER = "https://failing.meshguard.test";
  private static final String SLOW_ISSUER = "https://slow.meshguard.test";

  /** The kid of Istio's published sample key: a token naming it must not find a built-in key. */
  private static final String ISTIO_SAMPLE_KID = "DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ";

  @TempDir static Path dir;
  private static JwksEndpoint failing;
  private static AttackedServe serve;

  @BeforeAll
  static void start() throws Exception {
    failing = new JwksEndpoint().fail(500);
    serve =
        AttackedServe.start(
            dir,
            """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: default}
            spec:
              jwtRules:
              - issuer: %s
                jwks: '%s'
                outputClaimToHeaders:
                - header: x-jwt-sub
                  claim: sub
              - issuer: %s
                jwksUri: %s
                timeout: 2s
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: default}
            spec:
              action: DENY
              rules:
              - to:
                - operation: {paths: ["/admin", "/admin/*", "/t/{**}/end", "*.txt"]}
              - when:
                - key: request.headers[x-role]
                  values: ["admin"]
              - to:
                - operation: {paths: ["/row3"]}
                when:
                - key: request.headers[x-user]
                  values: ["alice"]
              - when:
                - key: request.headers[x-forwarded-client-cert]
                  values: ["*"]
              - when:
                - key: request.headers[x-envoy-original-path]
                  values: ["*"]
              - from:
                - source: {notRequestPrincipals: ["*"]}
                to:
                - operation: {paths: ["/secure"]}
            """
                .formatted(TestTokens.ISSUER, TOKENS.jwks(), FAILING_ISSUER, failing.url()));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (serve != null) {
        serve.close();
      }
    } finally {
      if (failing != null) {
        failing.close();
      }
    }
  }

  @BeforeEach
  void clear() {
    serve.forget();
  }

  /** One replayed advisory: its row, what is sent, Envoy's status, and the upstream's view. */
  record Row(String row, String what, String wire, int status, Consumer<RawUpstream.Received> up) {
    @Override
    public String toString() {
      return "row " + row + ": " + what;
    }
  }

  private static Row refused(String row, String what, String wire, int status) {
    return new Row(row, what, wire, status, null);
  }

  private static String get(String target, String... headerLines) {
    StringBuilder sb = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: shop\r\n");
    for (String h : headerLines) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String bearer(String token) {
    return "Authorization: Bearer " + token;
  }

  static Stream<Row> rows() throws Exception {
    String good = TOKENS.valid("alice", Map.of());
    String[] parts = good.split("\\.", -1);
    String expired =
        TOKENS.sign(
            TestTokens.KID,
            TOKENS.claims().expirationTime(Date.from(Instant.now().minusSeconds(3600))).build());
    String unknownIssuer =
        TOKENS.sign(TestTokens.KID, TOKENS.claims().issuer("https://other.example").build());
    String hugeKid =
        b64("{\"alg\":\"RS256\",\"kid\":\"" + "k".repeat(20_000) + "\"}")
            + "."
            + parts[1]
            + "."
            + parts[2];
    String nested = parts[0] + "." + b64("[".repeat(40_000)) + "." + parts[2];
    String es256 =
        b64("{\"alg\":\"ES256\",\"kid\":\"" + TestTokens.KID + "\"}") + "." + parts[1] + ".AAAA";
    return Stream.of(
        refused("1", "a parent segment", get("/public/../admin"), 403),
        refused("1", "a dot segment", get("/./admin"), 403),
        refused("1", "a trailing dot segment", get("/admin/."), 403),
        refused("2", "NUL in a header value", get("/ok", "x-role: adm\u0000in"), 400),
        refused("2", "CR in a header value", get("/ok", "x-role: adm\rin"), 400),
        refused("2", "LF in a header value", get("/ok", "x-role: adm\nin: x"), 400),
        refused("3", "trailing space", get("/row3", "x-user: alice "), 403),
        refused("3", "leading space", get("/row3", "x-user:  alice"), 403),
        refused("3", "tabs", get("/row3", "x-user:\talice\t"), 403),
        refused("3", "a vertical tab", get("/row3", "x-user: alice\u000b"), 400),
        refused(
            "4",
            "a header that is not base64",
            get("/ok", bearer("a." + parts[1] + "." + parts[2])),
            401),
        refused("4", "two segments", get("/ok", bearer(parts[0] + "." + parts[1])), 401),
        refused("4", "four segments", get("/ok", bearer(good + ".x")), 401),
        refused(
            "4",
            "a header that is not JSON",
            get("/ok", bearer(b64("nope") + "." + parts[1] + "." + parts[2])),
            401),
        refused("4", "a 20 KB kid", get("/ok", bearer(hugeKid)), 401),
        refused("4", "a malformed ES256 signature", get("/ok", bearer(es256)), 401),
        refused(
            "5", "60 KiB against a {**} template", get("/t/" + "a/".repeat(30_000) + "end"), 403),
        refused("5", "60 KiB against a suffix", get("/" + "a".repeat(60_000) + ".txt"), 403),
        refused("6", "a query does not escape an exact path", get("/secure?x=1"), 403),
        refused("6", "a fragment does not escape an exact path", get("/secure#a"), 403),
        new Row(
            "6",
            "path parameters are another path, as in Istio (known-divergences)",
            get("/secure;x"),
            200,
            r -> assertThat(r.requestLine()).isEqualTo("GET /secure;x HTTP/1.1")),
        refused(
            "9", "a token of an issuer nobody configured", get("/ok", bearer(unknownIssuer)), 401),
        refused("10", "an encoded letter", get("/%61dmin"), 403),
        refused("10", "an encoded NUL", get("/admin%00"), 400),
        refused("12", "a fragment", get("/admin#x"), 403),
        new Row(
            "12",
            "the fragment is never forwarded",
            get("/user/profile#x"),
            200,
            r -> assertThat(r.requestLine()).isEqualTo("GET /user/profile HTTP/1.1")),
        new Row(
            "17",
            "x-forwarded-client-cert from the client is neither decided on nor forwarded",
            get("/ok", "x-forwarded-client-cert: By=spiffe://cluster.local/ns/x/sa/admin"),
            200,
            r -> assertThat(r.header("x-forwarded-client-cert")).isNull()),
        new Row(
            "17",
            "x-envoy-original-path from the client is neither decided on nor forwarded",
            get("/ok", "x-envoy-original-path: /admin", "x-envoy-internal: true"),
            200,
            r -> assertThat(r.rawText()).doesNotContain("x-envoy")),
        refused(
            "18",
            "a mixed-case scheme",
            "GET hTtP://shop/admin HTTP/1.1\r\nHost: shop\r\n\r\n",
            403),
        refused(
            "18",
            "an upper-case scheme",
            "GET HTTP://shop/admin HTTP/1.1\r\nHost: shop\r\n\r\n",
            403),
        refused("21", "repeated header lines", get("/ok", "x-role: user", "x-role: admin"), 403),
        refused("25", "40 000 nested arrays in the payload", get("/ok", bearer(nested)), 401),
        refused(
            "26",
            "cookies over the header limit",
            get("/ok", "cookie: " + "a=b; ".repeat(13_000)),
            431),
        new Row(
            "26",
            "thousands of cookie pairs within the limit",
            get("/ok", "cookie: " + "a=b; ".repeat(10_000)),
            200,
            r -> assertThat(r.header("cookie")).startsWith("a=b; a=b")),
        refused("27", "an expired token with a valid signature", get("/ok", bearer(expired)), 401));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void isAnsweredAsTheFixedEnvoyAnswers(Row row) throws Exception {
    RawHttp.Response r = serve.send(row.wire());
    assertThat(r).as("answered, not dropped").isNotNull();
    assertThat(r.status()).as(row.toString()).isEqualTo(row.status());
    if (row.up() == null) {
      serve.assertNothingForwarded();
    } else {
      row.up().accept(serve.forwarded());
    }
  }

  private static String tokenFor(String issuer, String kid) {
    return TOKENS.sign(kid, TOKENS.claims().issuer(issuer).build());
  }

  @Test
  void row20FailingKeysWithTokensInHeaderAndQueryAreTheSame401EveryTime() throws Exception {
    String token = tokenFor(FAILING_ISSUER, TestTokens.KID);
    for (int i = 0; i < 10; i++) {
      RawHttp.Response r = serve.send(get("/ok?access_token=" + token, bearer(token)));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("Jwks remote fetch is failed");
    }
    serve.assertNothingForwarded();
  }

  @Test
  void row22NoKeyEverStandsInForKeysThatCannotBeFetched() throws Exception {
    RSAKey other = new RSAKeyGenerator(2048).keyID(ISTIO_SAMPLE_KID).generate();
    List<String> tokens = new ArrayList<>();
    tokens.add(tokenFor(FAILING_ISSUER, TestTokens.KID));
    tokens.add(signWith(other, FAILING_ISSUER));
    for (String body : new String[] {"500", "{not json", "{\"keys\":[]}"}) {
      if (body.equals("500")) {
        failing.fail(500);
      } else {
        failing.serve(body);
      }
      for (String token : tokens) {
        RawHttp.Response r = serve.send(get("/ok", bearer(token)));
        assertThat(r.status()).as(body).isEqualTo(401);
      }
    }
    failing.fail(500);
    serve.assertNothingForwarded();
  }

  private static String signWith(RSAKey key, String issuer) throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
            new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject("mallory")
                .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                .build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  @Test
  void row19ClientsLeavingDuringASlowKeyFetchBreakNothing() throws Exception {
    Path own = dir.resolve("row19");
    java.nio.file.Files.createDirectories(own);
    try (JwksEndpoint slow = new JwksEndpoint().serve(TOKENS.jwks()).hold();
        AttackedServe slowServe =
            AttackedServe.start(
                own,
                """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: default}
                spec:
                  jwtRules:
                  - issuer: %s
                    jwksUri: %s
                    timeout: 60s
                    outputClaimToHeaders:
                    - header: x-jwt-sub
                      claim: sub
                """
                    .formatted(SLOW_ISSUER, slow.url()))) {
      String token = tokenFor(SLOW_ISSUER, TestTokens.KID);
      List<RawHttp.Conversation> staying = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        RawHttp.Conversation c = RawHttp.open(slowServe.proxy);
        c.send(get("/slow/" + i, bearer(token)));
        if (i % 2 == 0) {
          c.close(); // gone while the keys are being fetched
        } else {
          staying.add(c);
        }
      }
      slow.awaitFetches(1);
      slow.release();
      List<CompletableFuture<RawHttp.Response>> answers = new ArrayList<>();
      for (RawHttp.Conversation c : staying) {
        answers.add(CompletableFuture.supplyAsync(() -> readQuietly(c)));
      }
      for (CompletableFuture<RawHttp.Response> a : answers) {
        RawHttp.Response r = a.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(r).isNotNull();
        assertThat(r.status()).isEqualTo(200);
      }
      for (RawHttp.Conversation c : staying) {
        c.close();
      }
      assertThat(slowServe.send(get("/after", bearer(token))).status()).isEqualTo(200);
      assertThat(slowServe.process.stderr)
          .as("no stack trace, no leak report")
          .noneMatch(l -> l.contains("Exception") || l.contains("LEAK"));
    }
  }

  private static RawHttp.Response readQuietly(RawHttp.Conversation c) {
    try {
      return c.read();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
