package dev.meshguard.jwks;

import static dev.meshguard.jwks.MeshConfig.config;
import static dev.meshguard.jwks.MeshConfig.destinationRule;
import static dev.meshguard.jwks.MeshConfig.endpoint;
import static dev.meshguard.jwks.MeshConfig.port;
import static dev.meshguard.jwks.MeshConfig.rule;
import static dev.meshguard.jwks.MeshConfig.serviceEntry;
import static dev.meshguard.jwks.MeshConfig.simpleTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import dev.meshguard.jwks.JwksServer.Reply;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwksSource.KeySetLookup;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.policy.ServiceEntry;
import dev.meshguard.testing.MeshCa;
import dev.meshguard.testing.TestKeys;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory: caching across reloads, OpenID discovery, routing, registry-only, lifecycle. */
class RemoteJwksSourcesTest {
  private static final Instant START = Instant.parse("2026-09-01T10:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String HOST = "jwks.example.com";
  private static final ECKey KEY = TestKeys.key("k1");

  @TempDir static Path dir;
  private static JwksServer https;
  private static Path caFile;
  private static Path otherCaFile;

  private final ManualClock clock = new ManualClock(START);
  private final ManualScheduler scheduler = ManualScheduler.inline(clock);
  private JwksServer http;
  private RemoteJwksSources sources;

  @BeforeAll
  static void startHttps() throws Exception {
    MeshCa pki = MeshCa.create("meshguard test ca");
    caFile = pki.writeCaPem(dir);
    otherCaFile = MeshCa.create("other ca").writeCaPem(dir);
    https = JwksServer.https(pki.issueServer(List.of(HOST), List.of()).serverContext());
    https.on("/jwks", Reply.ok(TestKeys.jwks(KEY)));
  }

  @AfterAll
  static void stopHttps() {
    https.close();
  }

  @BeforeEach
  void start() throws Exception {
    http = JwksServer.http();
    http.on("/jwks", Reply.ok(TestKeys.jwks(KEY)));
    sources = create(RemoteJwksOptions.defaults());
  }

  @AfterEach
  void stop() {
    sources.close();
    http.close();
  }

  private RemoteJwksSources create(RemoteJwksOptions options) {
    return new RemoteJwksSources(options, clock, scheduler, false, InetAddress::getAllByName);
  }

  private String httpUrl(String path) {
    return "http://127.0.0.1:" + http.port() + path;
  }

  private static void assertFetchFailed(KeySetLookup lookup) {
    assertThat(lookup.keys()).isNull();
    assertThat(lookup.failure()).isEqualTo(JwtStatus.JWKS_FETCH_FAIL);
  }

  /** The FAQ's external example: STATIC endpoint on loopback, TLS from the DestinationRule. */
  private static ConfigSet external(String ca, List<String> subjectAltNames) {
    ServiceEntry se =
        serviceEntry(
            "external-svc-https",
            List.of(HOST),
            List.of(),
            List.of(port(80, "HTTP", "http"), port(443, "HTTPS", "https")),
            "STATIC",
            List.of(endpoint("127.0.0.1", Map.of("https", https.port()))));
    return config(
        List.of(se),
        List.of(destinationRule(HOST, 443, simpleTls(ca, HOST, subjectAltNames, false))));
  }

  @Test
  void externalHttpsEndpointThroughServiceEntryAndDestinationRule() {
    int before = https.requests();
    JwksSource source =
        sources.remote(
            rule(TestKeys.ISSUER, "https://" + HOST + "/jwks", TIMEOUT),
            external(caFile.toString(), List.of(HOST)));
    KeySetLookup lookup = source.current();
    assertThat(lookup.ok()).isTrue();
    assertThat(https.requests()).isEqualTo(before + 1);
    assertThat(source.description())
        .isEqualTo(
            "jwksUri `https://jwks.example.com/jwks` via serviceentry `foo/external-svc-https`"
                + " (STATIC) to 127.0.0.1:"
                + https.port()
                + ", tls from destinationrule `foo/dr-jwks.example.com` (sni `jwks.example.com`),"
                + " ca `"
                + caFile
                + "`");
    assertThat(TestKeys.verifies(lookup.keys(), TestKeys.token(KEY, TestKeys.ISSUER))).isTrue();
  }

  @Test
  void wrongCaOrSanMeansNoKeysAndNoRequest() {
    int before = https.requests();
    for (ConfigSet config :
        List.of(
            external(otherCaFile.toString(), List.of()),
            external(caFile.toString(), List.of("not-" + HOST)))) {
      JwksSource source =
          sources.remote(rule(TestKeys.ISSUER, "https://" + HOST + "/jwks", TIMEOUT), config);
      KeySetLookup lookup = source.current();
      assertFetchFailed(lookup);
      assertThat(lookup.detail()).contains("tls");
    }
    assertThat(https.requests()).isEqualTo(before);
  }

  @Test
  void equalRulesAndRoutingShareOneSourceAcrossReloads() {
    JwtRule rule = rule(TestKeys.ISSUER, httpUrl("/jwks"), TIMEOUT);
    JwksSource first = sources.remote(rule, MeshConfig.empty());
    JwksSource again = sources.remote(rule, MeshConfig.empty());
    JwksSource reloaded =
        sources.remote(rule(TestKeys.ISSUER, httpUrl("/jwks"), TIMEOUT), MeshConfig.empty());
    assertThat(again).isSameAs(first);
    assertThat(reloaded).isSameAs(first);
    assertThat(http.requests()).isEqualTo(1);
    assertThat(sources.health()).hasSize(1);
    assertThat(sources.health(first)).contains(sources.health().get(0));
    assertThat(sources.health(JwksSource.fixed(TestKeys.parse(TestKeys.jwks(KEY)), "inline")))
        .isEmpty();
  }

  @Test
  void differentTimeoutIssuerOrRoutingGetTheirOwnSource() {
    JwksSource base =
        sources.remote(
            rule(TestKeys.ISSUER, "https://" + HOST + "/jwks", TIMEOUT),
            external(caFile.toString(), List.of()));
    assertThat(
            sources.remote(
                rule(TestKeys.ISSUER, "https://" + HOST + "/jwks", Duration.ofSeconds(2)),
                external(caFile.toString(), List.of())))
        .isNotSameAs(base);
    assertThat(
            sources.remote(
                rule("other-issuer", "https://" + HOST + "/jwks", TIMEOUT),
                external(caFile.toString(), List.of())))
        .isNotSameAs(base);
    assertThat(
            sources.remote(
                rule(TestKeys.ISSUER, "https://" + HOST + "/jwks", TIMEOUT),
                external(otherCaFile.toString(), List.of())))
        .isNotSameAs(base);
    assertThat(sources.health()).hasSize(4);
  }

  @Test
  void openIdDiscoveryFindsTheJwksUri() {
    String issuer = "http://127.0.0.1:" + http.port() + "/realms/a/";
    http.on(
        "/realms/a/.well-known/openid-configuration",
        Reply.ok("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + httpUrl("/jwks") + "\"}"));
    JwksSource source = sources.remote(rule(issuer, null, TIMEOUT), MeshConfig.empty());
    assertThat(source.description())
        .isEqualTo(
            "openid discovery `http://127.0.0.1:"
                + http.port()
                + "/realms/a/.well-known/openid-configuration`");
    KeySetLookup lookup = source.current();
    assertThat(http.requests()).isEqualTo(2);
    assertThat(lookup.ok()).isTrue();
    assertThat(sources.health().get(0).keysFrom()).isEqualTo(httpUrl("/jwks"));
    assertThat(lookup.detail()).contains("from `" + httpUrl("/jwks") + "`");
  }

  @Test
  void discoveryFailuresNeverYieldKeys() {
    String issuer = "http://127.0.0.1:" + http.port();
    http.on(
        "/.well-known/openid-configuration",
        Reply.ok("{\"jwks_uri\":\"http://169.254.169.254/latest/meta-data/\"}"));
    KeySetLookup metadata =
        sources.remote(rule(issuer, null, TIMEOUT), MeshConfig.empty()).current();
    assertFetchFailed(metadata);
    assertThat(metadata.detail()).contains("link-local");

    // Istio's sample issuer is not a URL: discovery cannot even start.
    JwksSource notUrl =
        sources.remote(rule("testing@secure.istio.io", null, TIMEOUT), MeshConfig.empty());
    assertFetchFailed(notUrl.current());
    assertThat(notUrl.description()).contains("not fetched");

    JwksSource noIssuer = sources.remote(rule(null, null, TIMEOUT), MeshConfig.empty());
    assertFetchFailed(noIssuer.current());
    assertThat(noIssuer.description()).contains("no issuer");
  }

  @Test
  void registryOnlyRefusesUndeclaredExternalHosts() {
    RemoteJwksSources registryOnly =
        create(RemoteJwksOptions.defaults().toBuilder().registryOnly(true).build());
    try {
      JwksSource undeclared =
          registryOnly.remote(
              rule(TestKeys.ISSUER, "https://" + HOST + "/jwks", TIMEOUT), MeshConfig.empty());
      assertFetchFailed(undeclared.current());
      assertThat(undeclared.description()).contains("registry-only");
      assertThat(registryOnly.health().get(0).lastError()).contains("registry-only");

      int before = https.requests();
      JwksSource declared =
          registryOnly.remote(
              rule(TestKeys.ISSUER, "https://" + HOST + "/jwks", TIMEOUT),
              external(caFile.toString(), List.of()));
      declared.current();
      assertThat(https.requests()).isEqualTo(before + 1);
    } finally {
      registryOnly.close();
    }
  }

  @Test
  void linkLocalJwksUriIsRefusedUnlessAllowed() {
    JwksSource source =
        sources.remote(
            rule(TestKeys.ISSUER, "http://169.254.169.254/latest/meta-data/iam", TIMEOUT),
            MeshConfig.empty());
    KeySetLookup lookup = source.current();
    assertFetchFailed(lookup);
    assertThat(lookup.detail()).contains("`169.254.169.254` is link-local");
  }

  @Test
  void inlineJwksRulesAreNotRemote() {
    JwtRule inline =
        new JwtRule(
            TestKeys.ISSUER,
            List.of(),
            null,
            TestKeys.jwks(KEY),
            null,
            null,
            null,
            null,
            List.of(),
            false,
            List.of(),
            null);
    assertThatThrownBy(() -> sources.remote(inline, MeshConfig.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retainOnlyClosesSourcesTheNewConfigurationDropped() {
    JwksSource kept = sources.remote(rule("a", httpUrl("/jwks"), TIMEOUT), MeshConfig.empty());
    sources.remote(rule("b", httpUrl("/jwks"), TIMEOUT), MeshConfig.empty());
    assertThat(sources.retainOnly(List.of(kept))).isEqualTo(1);
    assertThat(sources.health()).extracting(JwksSourceHealth::issuer).containsExactly("a");
    // The dropped source's timers are cancelled: only the kept source refreshes.
    int before = http.requests();
    scheduler.advance(Duration.ofMinutes(20));
    assertThat(http.requests() - before).isEqualTo(1);
  }

  @Test
  void sourcesUnusedForTheEvictionPeriodAreDropped() {
    RemoteJwksSources evicting =
        create(
            RemoteJwksOptions.defaults().toBuilder().evictAfterUnused(Duration.ofHours(1)).build());
    try {
      JwksSource used =
          evicting.remote(rule("used", httpUrl("/jwks"), TIMEOUT), MeshConfig.empty());
      evicting.remote(rule("unused", httpUrl("/jwks"), TIMEOUT), MeshConfig.empty());
      clock.advance(Duration.ofMinutes(50));
      used.current();
      clock.advance(Duration.ofMinutes(20));
      evicting.remote(rule("new", httpUrl("/jwks"), TIMEOUT), MeshConfig.empty());
      assertThat(evicting.health())
          .extracting(JwksSourceHealth::issuer)
          .containsExactly("new", "used");
    } finally {
      evicting.close();
    }
  }

  @Test
  void aNonPositiveTimeoutFallsBackToTheDefault() {
    http.on("/jwks", Reply.ok(TestKeys.jwks(KEY)));
    JwksSource source =
        sources.remote(rule(TestKeys.ISSUER, httpUrl("/jwks"), Duration.ZERO), MeshConfig.empty());
    assertThat(source.current().ok()).isTrue();
  }

  @Test
  void closedFactoryRefusesNewSources() {
    sources.close();
    assertThatThrownBy(
            () -> sources.remote(rule("a", httpUrl("/jwks"), TIMEOUT), MeshConfig.empty()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void optionsRejectAStaleWindowShorterThanTheRefreshInterval() {
    assertThatThrownBy(
            () ->
                RemoteJwksOptions.defaults().toBuilder()
                    .refreshInterval(Duration.ofHours(2))
                    .staleWindow(Duration.ofHours(1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("staleWindow");
  }
}
