package dev.meshguard.proxy.custom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomCheck;
import dev.meshguard.engine.ExtAuthzProvider;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.fixtures.HttpAuthorizer;
import dev.meshguard.fixtures.HttpAuthorizer.Received;
import dev.meshguard.fixtures.HttpAuthorizer.Reply;
import dev.meshguard.jwks.ServiceRoute;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderCircuit;
import dev.meshguard.runtime.custom.ProviderMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP ext_authz client against a real authorizer: what Envoy sends (method, prefixed path,
 * host, its default headers plus the configured ones), and how each answer is applied.
 */
class CustomAuthorizersTest {
  private HttpAuthorizer authorizer;
  private CustomAuthorizers client;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    authorizer = new HttpAuthorizer();
    ProviderMetrics metrics = new ProviderMetrics();
    metrics.bind(registry);
    client = new CustomAuthorizers(new HttpProviderCalls(), null, metrics, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    client.close();
    authorizer.close();
  }

  private static ExtAuthzProvider provider(
      int port,
      Duration timeout,
      boolean failOpen,
      int statusOnError,
      List<String> include,
      List<String> upstream,
      List<String> downstreamOnAllow,
      List<String> downstreamOnDeny) {
    return new ExtAuthzProvider(
        "authz",
        ExtAuthzProvider.Protocol.HTTP,
        "authz.foo.svc.cluster.local",
        port,
        timeout,
        failOpen,
        statusOnError,
        "/check",
        include,
        Map.of("x-from-mesh", "yes"),
        upstream,
        downstreamOnAllow,
        downstreamOnDeny,
        null);
  }

  private static ExtAuthzProvider plain(int port) {
    return provider(
        port, Duration.ofSeconds(10), false, 403, List.of(), List.of(), List.of(), List.of());
  }

  private static CustomCheck check(ExtAuthzProvider p) {
    ServiceRoute route =
        new ServiceRoute(
            "127.0.0.1",
            p.port(),
            List.of(new ServiceRoute.Dial("127.0.0.1", p.port())),
            null,
            "dns",
            null);
    return new CustomCheck("foo/ext", p.name(), p, "/app/a?x=1", route);
  }

  private static CheckRequest request(String... headers) {
    List<Map.Entry<String, String>> h = new java.util.ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(Map.entry(headers[i], headers[i + 1]));
    }
    return new CheckRequest(
        "POST",
        "http",
        "app.example",
        "/app//a?x=1",
        RequestHeaders.of(h),
        "10.0.0.9",
        null,
        null,
        null,
        80,
        null);
  }

  private CustomAnswer ask(ExtAuthzProvider p, CheckRequest r) throws Exception {
    return client.ask(check(p), r).get(20, TimeUnit.SECONDS);
  }

  @Test
  void theCheckCarriesWhatEnvoySends() throws Exception {
    ExtAuthzProvider p =
        provider(
            authorizer.port(),
            Duration.ofSeconds(10),
            false,
            403,
            List.of("x-api-*", "cookie"),
            List.of(),
            List.of(),
            List.of());
    CustomAnswer a =
        ask(
            p,
            request(
                "authorization", "Bearer abc",
                "x-api-key", "k1",
                "x-api-key", "k2",
                "cookie", "s=1",
                "x-other", "never",
                "content-length", "12"));
    assertThat(a.allowed()).isTrue();
    Received r = authorizer.next();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.uri()).isEqualTo("/check/app/a?x=1");
    assertThat(r.header("host")).isEqualTo("app.example");
    assertThat(r.header("authorization")).isEqualTo("Bearer abc");
    assertThat(r.header("x-api-key")).isEqualTo("k1,k2");
    assertThat(r.header("cookie")).isEqualTo("s=1");
    assertThat(r.header("x-other")).isNull();
    assertThat(r.header("x-from-mesh")).isEqualTo("yes");
    assertThat(r.header("content-length")).isEqualTo("0");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void aTwoHundredAllowsWithTheHeadersTheListsLetThrough() throws Exception {
    authorizer.answer(
        r ->
            Reply.allow(
                "x-user", "alice",
                "x-internal", "secret",
                "x-note", "hello",
                "x-envoy-auth-headers-to-remove", "cookie, x-api-key"));
    ExtAuthzProvider p =
        provider(
            authorizer.port(),
            Duration.ofSeconds(10),
            false,
            403,
            List.of(),
            List.of("x-user"),
            List.of("x-note"),
            List.of());
    CustomAnswer a = ask(p, request());
    assertThat(a.allowed()).isTrue();
    assertThat(a.upstreamHeaders()).containsExactly(Map.entry("x-user", "alice"));
    assertThat(a.responseHeaders()).containsExactly(Map.entry("x-note", "hello"));
    assertThat(a.upstreamRemovals()).containsExactly("cookie", "x-api-key");
  }

  @Test
  void anyOtherStatusDeniesWithTheProvidersStatusBodyAndHeaders() throws Exception {
    authorizer.answer(
        r ->
            Reply.deny(
                302, "go sign in", "location", "https://login.example/", "x-reason", "expired"));
    CustomAnswer a = ask(plain(authorizer.port()), request());
    assertThat(a.allowed()).isFalse();
    assertThat(a.status()).isEqualTo(302);
    assertThat(a.body()).isEqualTo("go sign in");
    assertThat(a.responseHeaders())
        .contains(Map.entry("location", "https://login.example/"), Map.entry("x-reason", "expired"))
        .noneMatch(h -> h.getKey().equals("content-length"));
  }

  @Test
  void headersToDownstreamOnDenyKeepsOnlyItsHeadersAndEnvoysDefaults() throws Exception {
    authorizer.answer(
        r ->
            Reply.deny(401, "no", "www-authenticate", "Basic", "x-keep-me", "1", "x-drop-me", "2"));
    ExtAuthzProvider p =
        provider(
            authorizer.port(),
            Duration.ofSeconds(10),
            false,
            403,
            List.of(),
            List.of(),
            List.of(),
            List.of("x-keep-*"));
    CustomAnswer a = ask(p, request());
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.responseHeaders())
        .containsExactlyInAnyOrder(
            Map.entry("www-authenticate", "Basic"), Map.entry("x-keep-me", "1"));
  }

  @Test
  void aFiveHundredIsAnErrorAnsweredWithStatusOnErrorOrFailOpen() throws Exception {
    authorizer.answer(r -> Reply.deny(503, "busy"));
    ExtAuthzProvider closed =
        provider(
            authorizer.port(),
            Duration.ofSeconds(10),
            false,
            418,
            List.of(),
            List.of(),
            List.of(),
            List.of());
    CustomAnswer a = ask(closed, request());
    assertThat(a.allowed()).isFalse();
    assertThat(a.status()).isEqualTo(418);
    assertThat(a.body()).isEmpty();
    ExtAuthzProvider open =
        provider(
            authorizer.port(),
            Duration.ofSeconds(10),
            true,
            403,
            List.of(),
            List.of(),
            List.of(),
            List.of());
    assertThat(ask(open, request()).allowed()).isTrue();
    assertThat(
            registry
                .get("meshguard.extauthz.client.errors")
                .tag("kind", "status")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void aProviderThatDoesNotAnswerInTimeIsAnError() throws Exception {
    authorizer.answer(r -> Reply.hanging());
    ExtAuthzProvider p =
        provider(
            authorizer.port(),
            Duration.ofMillis(300),
            false,
            504,
            List.of(),
            List.of(),
            List.of(),
            List.of());
    CustomAnswer a = ask(p, request());
    assertThat(a.allowed()).isFalse();
    assertThat(a.status()).isEqualTo(504);
    assertThat(a.reason()).contains("no answer within 300ms");
    assertThat(
            registry
                .get("meshguard.extauthz.client.errors")
                .tag("kind", "timeout")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void aProviderThatIsDownIsAnErrorAndItsCircuitOpens() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ExtAuthzProvider p = plain(closedPort);
    for (int i = 0; i < ProviderCircuit.OPEN_AFTER; i++) {
      CustomAnswer a = ask(p, request());
      assertThat(a.allowed()).isFalse();
      assertThat(a.status()).isEqualTo(403);
    }
    CustomAnswer fast = ask(p, request());
    assertThat(fast.allowed()).isFalse();
    assertThat(fast.reason()).contains("circuit open");
    assertThat(
            registry
                .get("meshguard.extauthz.client.errors")
                .tag("kind", "circuit_open")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void anOpenCircuitNeverFailsOpenUnlessTheProviderSaysSo() throws Exception {
    authorizer.answer(r -> Reply.deny(500, ""));
    ExtAuthzProvider p = plain(authorizer.port());
    for (int i = 0; i < ProviderCircuit.OPEN_AFTER + 3; i++) {
      assertThat(ask(p, request()).allowed()).isFalse();
    }
    // the open circuit kept the last calls from reaching the provider
    assertThat(authorizer.pending()).isEqualTo(ProviderCircuit.OPEN_AFTER);
  }

  @Test
  void connectionsAreKeptAndReused() throws Exception {
    ExtAuthzProvider p = plain(authorizer.port());
    ask(p, request());
    ask(p, request());
    Received first = authorizer.next();
    Received second = authorizer.next();
    assertThat(second.clientPort()).isEqualTo(first.clientPort());
    assertThat(
            registry
                .get("meshguard.extauthz.client.calls")
                .tag("result", "allowed")
                .counter()
                .count())
        .isEqualTo(2);
  }
}
