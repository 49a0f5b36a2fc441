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
      assertThat(c.rawPath()).isEqualTo("/admin?x");
      assertThat(r.uri()).isEqualTo("/admin?x");
      assertThat(r.headers().get("host")).isEqualTo("Secret.com:80");
    }
    HttpRequest bare = request("GET", "https://a.example", "Host", "a.example");
    assertThat(new RequestPreparer(0).prepare(bare, CONN).check().rawPath()).isEqualTo("/");
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
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> p.prepare(request("get", "/", "Host", "a"), CONN))
        .hasMessageContaining("upper case");
    assertThatThrownBy(() -> p.prepare(request("CONNECT", "a:443", "Host", "a"), CONN))
        .hasMessageContaining("CONNECT");
  }

  @Test
  void http10WithoutHostIsFine() throws Exception {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
    assertThat(new RequestPreparer(0).prepare(r, CONN).check().host()).isNull();
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
        .isInstanceOf(BadRequestException.class);
  }
}
