package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data-plane defects of issue 10, each attacked over a raw socket against the real jar with a
 * lenient upstream that records every byte: what Envoy answers, and that nothing hangs.
 */
@SuppressWarnings("StringConcatToTextBlock") // requests are CRLF wire text
class ServeCodecRegressionIT {
  private static final TestTokens TOKENS = new TestTokens();
  private static final String OTHER_ISSUER = "https://params.meshguard.test";

  @TempDir static Path dir;
  private static AttackedServe serve;

  @BeforeAll
  static void start() throws Exception {
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
                - header: x-jwt-name
                  claim: name
              - issuer: %s
                jwks: '%s'
                fromParams: [tkn]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny-admin, namespace: default}
            spec:
              action: DENY
              rules:
              - to:
                - operation:
                    paths: ["/admin", "/admin/*"]
            """
                .formatted(TestTokens.ISSUER, TOKENS.jwks(), OTHER_ISSUER, TOKENS.jwks()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
  }

  @BeforeEach
  void clear() {
    serve.forget();
  }

  private static String get(String target, String... headerLines) {
    StringBuilder sb = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: shop\r\n");
    for (String h : headerLines) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  private static String tokenWithName(String name) {
    return TOKENS.valid("alice", Map.of("name", name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\r\nx-injected: 1", "a\nb", "a\rb", "a\u0000b", "a\u007fb", "a\u0001b"})
  void aClaimThatCannotBeAHeaderValueIsRefusedWith503AsEnvoysRouterDoes(String name)
      throws Exception {
    RawHttp.Response r = serve.send(get("/api", "Authorization: Bearer " + tokenWithName(name)));
    assertThat(r).as("answered, not closed").isNotNull();
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("invalid header value for: x-jwt-name");
    serve.assertNothingForwarded();
  }

  @ParameterizedTest
  @ValueSource(strings = {" admin", "admin ", "\tadmin\t", "  admin  "})
  void aClaimWithSurroundingWhitespaceIsForwardedAsTheValueAParserReads(String name)
      throws Exception {
    RawHttp.Response r = serve.send(get("/api", "Authorization: Bearer " + tokenWithName(name)));
    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received got = serve.forwarded();
    assertThat(got.rawText()).contains("\r\nx-jwt-name: admin\r\n");
  }

  @Test
  void aNonAsciiClaimReachesTheUpstreamAsUtf8Bytes() throws Exception {
    RawHttp.Response r =
        serve.send(get("/api", "Authorization: Bearer " + tokenWithName("José 日本")));
    assertThat(r.status()).isEqualTo(200);
    byte[] expected = "x-jwt-name: José 日本\r\n".getBytes(StandardCharsets.UTF_8);
    assertThat(serve.forwarded().rawText())
        .contains(new String(expected, StandardCharsets.ISO_8859_1));
  }

  @Test
  void requestTrailersNeverReachTheUpstream() throws Exception {
    RawHttp.Response r =
        serve.send(
            "POST /api HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n"
                + "x-jwt-name: admin\r\n"
                + "authorization: Bearer forged\r\n"
                + "x-forwarded-for: 10.0.0.1\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received got = serve.forwarded();
    assertThat(new String(got.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello");
    assertThat(got.trailers()).isEmpty();
    assertThat(got.rawText()).doesNotContain("forged").doesNotContain("x-jwt-name");
  }

  @Test
  void aHundredRequestHeadersPassAndOneMoreIs431() throws Exception {
    StringBuilder hundred = new StringBuilder("GET /api HTTP/1.1\r\nHost: shop\r\n");
    for (int i = 1; i < 100; i++) {
      hundred.append("x-h").append(i).append(": v\r\n");
    }
    assertThat(serve.send(hundred + "\r\n").status()).isEqualTo(200);
    serve.forget();
    RawHttp.Response r = serve.send(hundred + "x-h100: v\r\n\r\n");
    assertThat(r.status()).isEqualTo(431);
    assertThat(r.body()).isEqualTo("Request Header Fields Too Large");
    serve.assertNothingForwarded();
  }

  @Test
  void http10WithoutHostGets426() throws Exception {
    RawHttp.Response r = serve.send("GET /api HTTP/1.0\r\n\r\n");
    assertThat(r.status()).isEqualTo(426);
    assertThat(r.body()).isEqualTo("Upgrade Required");
    serve.assertNothingForwarded();
    assertThat(serve.send("GET /api HTTP/1.0\r\nHost: shop\r\n\r\n").status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0001", "\u007f", "\u0000", "\u001b"})
  void anAbsoluteFormTargetWithAControlCharacterIs400(String control) throws Exception {
    RawHttp.Response r =
        serve.send("GET http://shop" + control + "x/api HTTP/1.1\r\nHost: shop\r\n\r\n");
    assertThat(r).as("answered, not closed").isNotNull();
    assertThat(r.status()).isEqualTo(400);
    r = serve.send("GET http://shop/a" + control + "pi HTTP/1.1\r\nHost: shop\r\n\r\n");
    assertThat(r).as("answered, not closed").isNotNull();
    assertThat(r.status()).isEqualTo(400);
    serve.assertNothingForwarded();
  }

  @Test
  void optionsAsteriskIs404AndNeverForwarded() throws Exception {
    RawHttp.Response r = serve.send("OPTIONS * HTTP/1.1\r\nHost: shop\r\n\r\n");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEmpty();
    serve.assertNothingForwarded();
    assertThat(serve.send("GET * HTTP/1.1\r\nHost: shop\r\n\r\n").status()).isEqualTo(400);
    serve.assertNothingForwarded();
  }

  @Test
  void rawUtf8InThePathIsPercentEncodedOnce() throws Exception {
    byte[] utf8 = "/café/日本".getBytes(StandardCharsets.UTF_8);
    String target = new String(utf8, StandardCharsets.ISO_8859_1);
    assertThat(serve.send(get(target)).status()).isEqualTo(200);
    assertThat(serve.forwarded().requestLine())
        .isEqualTo("GET /caf%C3%A9/%E6%97%A5%E6%9C%AC HTTP/1.1");
  }

  @Test
  void rawBytesThatAreNotUtf8InThePathAre400AndTheLogSaysWhichBytes() throws Exception {
    assertThat(serve.send(get("/caf\u00e9?x=\u00ff")).status()).isEqualTo(400);
    serve.assertNothingForwarded();
    assertThat(serve.accessLogText()).contains("\"path\":\"/caf%E9?x=%FF\"");
  }

  @Test
  void absoluteFormWithAQueryAndNoPathIs404AsEnvoysConnectionManagerAnswers() throws Exception {
    // http_parser gives `?/admin` as the path: Envoy answers 404 (not a relative path)
    RawHttp.Response r = serve.send("GET http://shop?/admin HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.status()).isEqualTo(404);
    serve.assertNothingForwarded();
    assertThat(serve.send("GET http://shop#/admin HTTP/1.1\r\nHost: x\r\n\r\n").status())
        .isEqualTo(404);
    serve.assertNothingForwarded();
    assertThat(serve.send("GET hTTp://shop/admin HTTP/1.1\r\nHost: x\r\n\r\n").status())
        .isEqualTo(403);
    assertThat(serve.send("GET http://shop HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
    RawUpstream.Received got = serve.forwarded();
    assertThat(got.requestLine()).isEqualTo("GET / HTTP/1.1");
    assertThat(got.header("host")).isEqualTo("shop");
  }

  @Test
  void tokensInTheQueryNeverReachTheAccessLog() throws Exception {
    String good = TOKENS.valid("alice", Map.of());
    String bad = TestTokens.tamper(good);
    String other = TOKENS.sign(TestTokens.KID, TOKENS.claims().issuer(OTHER_ISSUER).build());
    assertThat(serve.send(get("/api?x=1&access_token=" + good)).status()).isEqualTo(200);
    assertThat(serve.send(get("/api?access_token=" + bad + "&y=2")).status()).isEqualTo(401);
    assertThat(serve.send(get("/api?tkn=" + other)).status()).isEqualTo(200);
    assertThat(serve.send(get("/api?acc%65ss_token=" + good)).status()).isEqualTo(200);
    assertThat(serve.send(get("http://shop/api?access_token=" + bad)).status()).isEqualTo(401);
    assertThat(serve.send(get("/api", "Cookie: session=" + good)).status()).isEqualTo(200);
    String log = serve.accessLogText();
    for (String token : new String[] {good, bad, other}) {
      assertThat(log).doesNotContain(token).doesNotContain(token.split("\\.", -1)[1]);
    }
    assertThat(log)
        .contains("\"path\":\"/api?x=1&access_token=REDACTED\"")
        .contains("\"path\":\"/api?access_token=REDACTED&y=2\"")
        .contains("\"path\":\"/api?tkn=REDACTED\"")
        .contains("\"path\":\"/api?acc%65ss_token=REDACTED\"");
  }
}
