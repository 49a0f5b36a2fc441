package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
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
 * A security reviewer's attacks on the real jar over raw sockets, one class of HTTP/1 trickery at a
 * time (duplicated and folded headers, trailers, control characters, request-target forms, limits,
 * smuggling, `Expect`, `Connection`), with a lenient upstream that records every byte. The
 * reference is Envoy as Istio configures it: what it refuses is refused with its status, and what
 * it forwards is forwarded with the bytes the decision was made on.
 */
@SuppressWarnings("StringConcatToTextBlock") // requests are CRLF wire text
class ServeAttackIT {
  private static final TestTokens TOKENS = new TestTokens();

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
                - header: x-jwt-sub
                  claim: sub
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
              - when:
                - key: request.headers[x-role]
                  values: ["admin"]
              - from:
                - source:
                    notRequestPrincipals: ["*"]
                to:
                - operation:
                    paths: ["/secure", "/secure/*"]
            """
                .formatted(TestTokens.ISSUER, TOKENS.jwks()));
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

  /**
   * One attack: the bytes sent, the status Envoy answers, and what the upstream must have got
   * (null: nothing at all).
   */
  record Attack(String name, String wire, int status, Consumer<RawUpstream.Received> upstream) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Attack refused(String name, String wire, int status) {
    return new Attack(name, wire, status, null);
  }

  private static Attack forwarded(
      String name, String wire, int status, Consumer<RawUpstream.Received> check) {
    return new Attack(name, wire, status, check);
  }

  private static String get(String target, String... headerLines) {
    StringBuilder sb = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: shop\r\n");
    for (String h : headerLines) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  private static String utf8AsWire(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static final String BIG = "a".repeat(70 * 1024);

  static Stream<Attack> attacks() {
    String alice = TOKENS.valid("alice", Map.of());
    return Stream.of(
        // duplicated and folded headers
        refused("two Host headers", "GET /ok HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        forwarded(
            "absolute-form authority wins over Host",
            "GET http://shop/ok HTTP/1.1\r\nHost: admin.internal\r\n\r\n",
            200,
            r -> assertThat(r.header("host")).isEqualTo("shop")),
        refused(
            "absolute-form to a denied path whatever Host says",
            "GET http://shop/admin HTTP/1.1\r\nHost: public\r\n\r\n",
            403),
        refused(
            "a repeated header: each line is decided",
            get("/ok", "x-role: user", "x-role: admin"),
            403),
        forwarded(
            "a folded header is one value for the policy and the upstream alike",
            get("/ok", "x-role: user\r\n admin"),
            200,
            r -> assertThat(r.header("x-role")).isEqualTo("user admin")),
        forwarded(
            "a folded line cannot start a header of its own",
            get("/ok", "x-other: a\r\n x-role: admin"),
            200,
            r -> {
              assertThat(r.header("x-role")).isNull();
              assertThat(r.rawText()).doesNotContain("\r\nx-role").doesNotContain("\r\n x-role");
            }),
        refused("whitespace before the colon", get("/ok", "x-role : admin"), 400),
        refused(
            "two equal Content-Length lines",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi",
            400),
        // trailers
        forwarded(
            "trailers that would frame or authenticate are dropped",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n"
                + "content-length: 50\r\nauthorization: Bearer forged\r\nx-role: admin\r\n\r\n",
            200,
            r -> {
              assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hi");
              assertThat(r.trailers()).isEmpty();
              assertThat(r.rawText()).doesNotContain("forged").doesNotContain("x-role");
            }),
        // control characters in anything that becomes a header
        refused("NUL in a header value", get("/ok", "x-role: adm\u0000in"), 400),
        refused("bare CR in a header value", get("/ok", "x-role: adm\rin"), 400),
        refused("DEL in a header value", get("/ok", "x-role: adm\u007fin"), 400),
        refused("a control character in Host", "GET /ok HTTP/1.1\r\nHost: sh\u0001op\r\n\r\n", 400),
        refused(
            "a control character in an absolute-form authority",
            "GET http://sh\u0001op/ok HTTP/1.1\r\nHost: shop\r\n\r\n",
            400),
        forwarded(
            "obs-text in a header value reaches the upstream byte for byte",
            get("/ok", "x-note: caf\u00e9\u00ff"),
            200,
            r -> assertThat(r.rawText()).contains("\r\nx-note: caf\u00e9\u00ff\r\n")),
        forwarded(
            "UTF-8 in a header value reaches the upstream byte for byte",
            get("/ok", "x-note: " + utf8AsWire("José")),
            200,
            r -> assertThat(r.rawText()).contains("\r\nx-note: " + utf8AsWire("José") + "\r\n")),
        // request-target forms
        refused(
            "a mixed-case scheme decides like a lower-case one",
            "GET HtTp://shop/admin HTTP/1.1\r\nHost: shop\r\n\r\n",
            403),
        forwarded(
            "an IPv6 literal authority",
            "GET http://[::1]:8080/ok HTTP/1.1\r\nHost: shop\r\n\r\n",
            200,
            r -> assertThat(r.header("host")).isEqualTo("[::1]:8080")),
        refused("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: shop\r\n\r\n", 400),
        refused("OPTIONS asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: shop\r\n\r\n", 404),
        refused(
            "authority-form CONNECT", "CONNECT shop:443 HTTP/1.1\r\nHost: shop:443\r\n\r\n", 400),
        refused("a scheme without `//`", "GET http:/admin HTTP/1.1\r\nHost: shop\r\n\r\n", 400),
        refused("a relative target", "GET admin HTTP/1.1\r\nHost: shop\r\n\r\n", 400),
        refused(
            "user info in the authority",
            "GET http://a@shop/ok HTTP/1.1\r\nHost: shop\r\n\r\n",
            400),
        refused("an encoded dot-dot", get("/ok/%2e%2e/admin"), 403),
        refused("a fragment", get("/admin#public"), 403),
        refused("a query", get("/admin?public"), 403),
        forwarded(
            "a double slash is another path under BASE, and forwarded as such",
            get("//admin"),
            200,
            r -> assertThat(r.requestLine()).isEqualTo("GET //admin HTTP/1.1")),
        // a tab between the parts of the request line is whitespace to Netty and to Balsa alike:
        // it separates for the decision and for the upstream the same way
        refused("a tab in the request line", "GET\t/admin HTTP/1.1\r\nHost: shop\r\n\r\n", 403),
        forwarded(
            "a tab in the request line is forwarded as a space",
            "GET\t/ok HTTP/1.1\r\nHost: shop\r\n\r\n",
            200,
            r -> assertThat(r.requestLine()).isEqualTo("GET /ok HTTP/1.1")),
        refused("a bare LF ending the request line", "GET /ok HTTP/1.1\nHost: shop\r\n\r\n", 400),
        // header and line limits
        refused("headers over 60 KiB", get("/ok", "x-big: " + BIG), 431),
        refused("a request line over 64 KiB", get("/" + BIG), 414),
        refused("cookies over 60 KiB", get("/ok", "cookie: " + "k=v; ".repeat(15_000)), 431),
        // Content-Length / Transfer-Encoding smuggling
        refused(
            "Content-Length and Transfer-Encoding",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n",
            400),
        refused(
            "a coding before chunked",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501),
        refused(
            "chunked in two lines",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            501),
        forwarded(
            "chunked in upper case",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
            200,
            r -> assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hi")),
        refused(
            "a signed Content-Length",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nContent-Length: +2\r\n\r\nhi",
            400),
        refused(
            "a hexadecimal Content-Length",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nContent-Length: 0x2\r\n\r\nhi",
            400),
        refused(
            "a chunk size that overflows",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "fffffffffffffffff2\r\nhi\r\n0\r\n\r\n",
            400),
        refused(
            "a bare LF after a chunk size",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\r\n0\r\n\r\n",
            400),
        refused(
            "Transfer-Encoding in HTTP/1.0",
            "POST /ok HTTP/1.0\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400),
        // Expect
        forwarded(
            "an unknown expectation is forwarded, as Envoy does",
            get("/ok", "Expect: something"),
            200,
            r -> assertThat(r.header("expect")).isEqualTo("something")),
        // Connection-nominated headers
        forwarded(
            "a nominated authorization is gone before the decision and upstream",
            get("/ok", "Connection: authorization", "Authorization: Bearer not-a-token"),
            200,
            r -> assertThat(r.header("authorization")).isNull()),
        refused(
            "a nominated authorization cannot authenticate",
            get("/secure", "Connection: authorization", "Authorization: Bearer " + alice),
            403),
        forwarded(
            "a nominated claim header is replaced by the verified claim only",
            get(
                "/ok",
                "Connection: x-jwt-sub",
                "x-jwt-sub: admin",
                "Authorization: Bearer " + alice),
            200,
            r -> {
              assertThat(r.header("x-jwt-sub")).isEqualTo("alice");
              assertThat(r.rawText()).doesNotContain("admin");
            }),
        refused("a nominated x-forwarded-for", get("/ok", "Connection: x-forwarded-for"), 400),
        refused("a nominated pseudo-header", get("/ok", "Connection: :path"), 400),
        refused("ten Connection tokens", get("/ok", "Connection: a,b,c,d,e,f,g,h,i,j"), 400),
        forwarded(
            "a nominated Content-Length keeps the framing",
            "POST /ok HTTP/1.1\r\nHost: shop\r\nConnection: content-length\r\nContent-Length: 2\r\n\r\nhi",
            200,
            r -> {
              assertThat(r.header("content-length")).isEqualTo("2");
              assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hi");
            }),
        forwarded(
            "a nominated Host is kept",
            get("/ok", "Connection: host"),
            200,
            r -> assertThat(r.header("host")).isEqualTo("shop")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void isAnsweredAsEnvoyAnswersIt(Attack attack) throws Exception {
    RawHttp.Response r = serve.send(attack.wire());
    assertThat(r).as("answered, not dropped").isNotNull();
    assertThat(r.status()).as(attack.name()).isEqualTo(attack.status());
    if (attack.upstream() == null) {
      serve.assertNothingForwarded();
    } else {
      attack.upstream().accept(serve.forwarded());
    }
  }

  @Test
  void nothingPipelinedAfterAMalformedRequestIsForwarded() throws Exception {
    try (RawHttp.Conversation c = RawHttp.open(serve.proxy)) {
      c.send(
          get("/ok")
              + "GET /broken\u0001 HTTP/1.1\r\nHost: shop\r\n\r\n"
              + get("/after-the-error"));
      assertThat(c.read().status()).isEqualTo(200);
      RawHttp.Response second = c.read();
      assertThat(second.status()).isEqualTo(400);
      assertThat(second.header("connection")).isEqualTo("close");
      assertThat(c.read()).as("closed after the error").isNull();
    }
    assertThat(serve.forwarded().requestLine()).isEqualTo("GET /ok HTTP/1.1");
    serve.assertNothingForwarded();
  }

  @Test
  void aRequestHiddenInTheBodyOfADeniedOneIsNeverRead() throws Exception {
    String hidden = get("/smuggled");
    try (RawHttp.Conversation c = RawHttp.open(serve.proxy)) {
      c.send(
          "POST /admin HTTP/1.1\r\nHost: shop\r\nContent-Length: "
              + hidden.length()
              + "\r\n\r\n"
              + hidden);
      assertThat(c.read().status()).isEqualTo(403);
      // the whole body had arrived: the connection goes on, and the next answer is for the next
      // request, not for the one in the body
      c.send(get("/next"));
      assertThat(c.read().status()).isEqualTo(200);
    }
    assertThat(serve.forwarded().requestLine()).isEqualTo("GET /next HTTP/1.1");
    serve.assertNothingForwarded();
  }

  @Test
  void aDeniedRequestWhoseBodyIsStillComingClosesTheConnection() throws Exception {
    try (RawHttp.Conversation c = RawHttp.open(serve.proxy)) {
      c.send("POST /admin HTTP/1.1\r\nHost: shop\r\nContent-Length: 100\r\n\r\npart");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(c.read()).as("closed: the rest of the body is never read as requests").isNull();
    }
    serve.assertNothingForwarded();
  }

  @Test
  void bytesAfterTheContentLengthAreTheNextRequestAndDecidedOnTheirOwn() throws Exception {
    try (RawHttp.Conversation c = RawHttp.open(serve.proxy)) {
      c.send("POST /ok HTTP/1.1\r\nHost: shop\r\nContent-Length: 2\r\n\r\nhi" + get("/admin"));
      assertThat(c.read().status()).isEqualTo(200);
      assertThat(c.read().status()).isEqualTo(403);
    }
    RawUpstream.Received first = serve.forwarded();
    assertThat(new String(first.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hi");
    assertThat(first.rawText()).doesNotContain("/admin");
    serve.assertNothingForwarded();
  }

  @Test
  void aDeniedRequestExpectingContinueNeverSendsItsBody() throws Exception {
    try (RawHttp.Conversation c = RawHttp.open(serve.proxy)) {
      c.send(
          "POST /admin HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).as("no 100 Continue for a denied request").isEqualTo(403);
      assertThat(r.header("connection")).isEqualTo("close");
    }
    try (RawHttp.Conversation c = RawHttp.open(serve.proxy)) {
      c.send(
          "POST /ok HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(100);
      c.send("hello");
      assertThat(c.read().status()).isEqualTo(200);
    }
    RawUpstream.Received allowed = serve.forwarded();
    assertThat(allowed.header("expect")).as("answered by the proxy, not forwarded").isNull();
    assertThat(new String(allowed.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello");
    serve.assertNothingForwarded();
  }
}
