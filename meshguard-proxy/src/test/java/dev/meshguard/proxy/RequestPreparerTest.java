package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshguard.engine.CheckRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class RequestPreparerTest {
  private static final ConnectionInfo CONN =
      new ConnectionInfo("192.0.2.10", "10.0.0.1", 8080, "http", null);

  private static HttpRequest request(String method, String uri, String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  @Test
  void describesTheConnectionAndRequest() throws Exception {
    HttpRequest r = request("GET", "/a?b=1", "Host", "Shop.example", "X-A", "1", "x-a", "2");
    CheckRequest c = new RequestPreparer(0).prepare(r, CONN).check();
    assertThat(c.method()).isEqualTo("GET");
    assertThat(c.scheme()).isEqualTo("http");
    assertThat(c.host()).isEqualTo("Shop.example");
    assertThat(c.rawPath()).isEqualTo("/a?b=1");
    assertThat(c.sourceIp()).isEqualTo("192.0.2.10");
    assertThat(c.remoteIp()).isEqualTo("192.0.2.10");
    assertThat(c.destinationIp()).isEqualTo("10.0.0.1");
    assertThat(c.destinationPort()).isEqualTo(8080);
    assertThat(c.headers().all("x-a")).containsExactly("1", "2");
    assertThat(c.headers().contains("host")).isFalse();
  }

  @Test
  void xffWithoutTrustedProxiesIsIgnoredForTheClientButAppendedTo() throws Exception {
    HttpRequest r = request("GET", "/", "Host", "h", "X-Forwarded-For", "203.0.113.1");
    CheckRequest c = new RequestPreparer(0).prepare(r, CONN).check();
    assertThat(c.remoteIp()).isEqualTo("192.0.2.10");
    assertThat(r.headers().getAll("x-forwarded-for")).containsExactly("203.0.113.1,192.0.2.10");
  }

  @Test
  void trustedHopsPickTheNthAddressFromTheRightAsEnvoyDoes() {
    // Envoy docs, "x-forwarded-for" example 4: one trusted hop picks the right-most entry
    String xff = "203.0.113.128, 203.0.113.10, 203.0.113.1";
    assertThat(new RequestPreparer(1).remoteIp(xff, "192.0.2.5")).isEqualTo("203.0.113.1");
    assertThat(new RequestPreparer(2).remoteIp(xff, "192.0.2.5")).isEqualTo("203.0.113.10");
    assertThat(new RequestPreparer(3).remoteIp(xff, "192.0.2.5")).isEqualTo("203.0.113.128");
    assertThat(new RequestPreparer(4).remoteIp(xff, "192.0.2.5")).isEqualTo("192.0.2.5");
    assertThat(new RequestPreparer(1).remoteIp("2001:db8::1", "192.0.2.5"))
        .isEqualTo("2001:db8::1");
    assertThat(new RequestPreparer(1).remoteIp(null, "192.0.2.5")).isEqualTo("192.0.2.5");
  }

  @Test
  void forwardedProtoIsOverwrittenUnlessAProxyInFrontIsTrusted() throws Exception {
    HttpRequest untrusted = request("GET", "/", "Host", "h", "X-Forwarded-Proto", "https");
    new RequestPreparer(0).prepare(untrusted, CONN);
    assertThat(untrusted.headers().get("x-forwarded-proto")).isEqualTo("http");
    HttpRequest trusted = request("GET", "/", "Host", "h", "X-Forwarded-Proto", "https");
    new RequestPreparer(1).prepare(trusted, CONN);
    assertThat(trusted.headers().get("x-forwarded-proto")).isEqualTo("https");
  }

  @Test
  void requestIdIsKeptOrGenerated() throws Exception {
    HttpRequest given = request("GET", "/", "Host", "h", "X-Request-Id", "abc");
    assertThat(new RequestPreparer(0).prepare(given, CONN).requestId()).isEqualTo("abc");
    HttpRequest none = request("GET", "/", "Host", "h");
    String id = new RequestPreparer(0).prepare(none, CONN).requestId();
    assertThat(id).hasSize(36);
    assertThat(none.headers().get("x-request-id")).isEqualTo(id);
    assertThat(RequestPreparer.randomUuid()).isNotEqualTo(RequestPreparer.randomUuid());
  }

  @Test
  void absoluteFormTakesTheAuthorityFromTheUrlWhateverTheSchemeCase() throws Exception {
    // security row 18: a mixed-case scheme must not change the decision
    for (String scheme : new String[] {"http", "HTTP", "hTtP"}) {
      HttpRequest r = request("GET", scheme + "://Secret.com:80/admin?x", "Host", "other");
      CheckRequest c = new RequestPreparer(0).prepare(r, CONN).check();
      assertThat(c.host()).isEqualTo("Secret.com:80");
      // the engine's normaliser reads the absolute form itself, as Envoy's connection manager
      // does, so that `check --path` with the same target decides the same
      assertThat(c.rawPath()).isEqualTo(scheme + "://Secret.com:80/admin?x");
      assertThat(r.headers().get("host")).isEqualTo("Secret.com:80");
    }
  }

  @Test
  void absoluteFormAuthorityMustBeAnAuthority() {
    RequestPreparer p = new RequestPreparer(0);
    for (String target :
        new String[] {
          "http://u@a/x", "http:///x", "http://a\u0001/x", "http://a<b/x", "ftp://a/x", "http:/a"
        }) {
      assertThatThrownBy(() -> p.prepare(request("GET", target, "Host", "a"), CONN))
          .as(target)
          .isInstanceOf(RequestRejected.class);
    }
  }

  @Test
  void rawUtf8InTheTargetAndHeadersIsReadAsUtf8() throws Exception {
    HttpRequest r = request("GET", latin1("/café?q=日本"), "Host", "h", "X-Name", latin1("José"));
    CheckRequest c = new RequestPreparer(0).prepare(r, CONN).check();
    assertThat(c.rawPath()).isEqualTo("/café?q=日本");
    assertThat(c.headers().joined("x-name")).isEqualTo("José");
    assertThat(r.headers().get("x-name")).as("forwarded byte for byte").isEqualTo(latin1("José"));
    HttpRequest notUtf8 = request("GET", "/caf\u00e9", "Host", "h", "X-Name", "Jos\u00e9");
    assertThatThrownBy(() -> new RequestPreparer(0).prepare(notUtf8, CONN))
        .isInstanceOf(RequestRejected.class)
        .hasMessageContaining("UTF-8");
    HttpRequest headerNotUtf8 = request("GET", "/", "Host", "h", "X-Name", "Jos\u00e9");
    assertThat(
            new RequestPreparer(0).prepare(headerNotUtf8, CONN).check().headers().joined("x-name"))
        .as("a byte that is not UTF-8 never equals policy text")
        .isEqualTo("Jos\udce9");
  }

  private static String latin1(String text) {
    return new String(
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Test
  void connectionMayNotNominateForwardingHeadersNorTenHeaders() {
    RequestPreparer p = new RequestPreparer(0);
    for (String nominated :
        new String[] {
          "x-forwarded-for",
          "X-Forwarded-Proto",
          "keep-alive, x-forwarded-host",
          ":path",
          "a,b,c,d,e,f,g,h,i,j"
        }) {
      assertThatThrownBy(
              () -> p.prepare(request("GET", "/", "Host", "a", "Connection", nominated), CONN))
          .as(nominated)
          .isInstanceOf(RequestRejected.class)
          .hasMessageContaining("Connection");
    }
  }

  @Test
  void aHundredHeadersAreFineAndOneMoreIsTooMany() throws Exception {
    HttpRequest r = request("GET", "/", "Host", "a");
    for (int i = 1; i < RequestPreparer.MAX_HEADERS; i++) {
      r.headers().add("x-h" + i, "v");
    }
    new RequestPreparer(0).prepare(r, CONN);
    HttpRequest more = request("GET", "/", "Host", "a");
    for (int i = 1; i <= RequestPreparer.MAX_HEADERS; i++) {
      more.headers().add("x-h" + i, "v");
    }
    assertThatThrownBy(() -> new RequestPreparer(0).prepare(more, CONN))
        .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.status()).isEqualTo(431));
  }

  @Test
  void hopByHopAndInternalHeadersAreRemovedBeforeDeciding() throws Exception {
    HttpRequest r =
        request(
            "GET",
            "/",
            "Host",
            "h",
            "Connection",
            "X-Drop, host, content-length",
            "X-Drop",
            "1",
            "TE",
            "trailers",
            "Trailer",
            "x",
            "Proxy-Connection",
            "keep-alive",
            "X-Envoy-Original-Path",
            "/admin",
            "X-ENVOY-EXTERNAL-ADDRESS",
            "1.1.1.1",
            "X-Forwarded-Client-Cert",
            "Hash=1",
            "X-Envoyish",
            "kept");
    CheckRequest c = new RequestPreparer(0).prepare(r, CONN).check();
    for (String gone :
        new String[] {
          "connection",
          "x-drop",
          "te",
          "trailer",
          "proxy-connection",
          "x-envoy-original-path",
          "x-envoy-external-address",
          "x-forwarded-client-cert"
        }) {
      assertThat(c.headers().contains(gone)).as(gone).isFalse();
      assertThat(r.headers().contains(gone)).as(gone).isFalse();
    }
    assertThat(r.headers().get("host")).isEqualTo("h");
    assertThat(c.headers().joined("x-envoyish")).isEqualTo("kept");
  }

  @Test
  void refusesWhatCannotBeDecidedSafely() {
    RequestPreparer p = new RequestPreparer(0);
    assertThatThrownBy(() -> p.prepare(request("GET", "/", "Host", "a", "Host", "b"), CONN))
        .hasMessageContaining("Host");
    assertThatThrownBy(() -> p.prepare(request("GET", "/"), CONN)).hasMessageContaining("Host");
    assertThatThrownBy(() -> p.prepare(request("GET", "relative", "Host", "a"), CONN))
        .isInstanceOf(RequestRejected.class);
    assertThatThrownBy(() -> p.prepare(request("get", "/", "Host", "a"), CONN))
        .hasMessageContaining("upper case");
    assertThatThrownBy(() -> p.prepare(request("CONNECT", "a:443", "Host", "a"), CONN))
        .hasMessageContaining("CONNECT");
  }

  @Test
  void http10WithoutHostIs426AsEnvoyWithoutHttp10() throws Exception {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
    assertThatThrownBy(() -> new RequestPreparer(0).prepare(r, CONN))
        .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.status()).isEqualTo(426));
    HttpRequest named = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
    named.headers().add("Host", "h");
    assertThat(new RequestPreparer(0).prepare(named, CONN).check().host()).isEqualTo("h");
  }

  @Test
  void asteriskFormOnlyForOptions() throws Exception {
    assertThat(
            new RequestPreparer(0)
                .prepare(request("OPTIONS", "*", "Host", "a"), CONN)
                .check()
                .rawPath())
        .isEqualTo("*");
    assertThatThrownBy(() -> new RequestPreparer(0).prepare(request("GET", "*", "Host", "a"), CONN))
        .isInstanceOf(RequestRejected.class);
  }
}
