package dev.meshguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.jwks.JwksSourceHealth;
import dev.meshguard.jwks.JwksSourceHealth.Status;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RemoteKeyMetricsTest {
  private static final String A = "https://a.example";
  private static final String A_URI = "https://a.example/jwks";
  private static final String B = "https://b.example";
  private static final String B_URI = "http://b.example/keys";
  private static final Instant SUCCESS = Instant.parse("2026-03-01T10:00:00.250Z");

  private static JwksSourceHealth health(
      String issuer, String uri, Status status, int keys, long fetches, long failures) {
    return health(issuer, uri, status, keys, fetches, failures, 0);
  }

  private static JwksSourceHealth health(
      String issuer,
      String uri,
      Status status,
      int keys,
      long fetches,
      long failures,
      int waiting) {
    boolean usable = status == Status.FRESH || status == Status.STALE;
    return new JwksSourceHealth(
        issuer,
        uri,
        "jwksUri " + uri,
        status,
        keys,
        usable ? uri : null,
        usable ? SUCCESS : null,
        failures > 0 ? SUCCESS.plusSeconds(60) : null,
        failures > 0 ? "status 500" : null,
        fetches,
        failures,
        null,
        usable ? SUCCESS.plusSeconds(86_400) : null,
        false,
        waiting);
  }

  private static String tags(String issuer, String uri) {
    return "{issuer=\"" + issuer + "\",uri=\"" + uri + "\"}";
  }

  @Test
  void oneSeriesPerSourceWithKeysUpLastSuccessAndCounts() {
    MeshguardMetrics metrics = new MeshguardMetrics();
    metrics.trackRemoteKeys(
        () ->
            List.of(
                health(A, A_URI, Status.FRESH, 3, 4, 1),
                health(B, B_URI, Status.LOADING, 0, 5, 5, 7)));
    String text = metrics.scrape();
    assertThat(text)
        .contains("meshguard_jwks_keys" + tags(A, A_URI) + " 3.0")
        .contains("meshguard_jwks_up" + tags(A, A_URI) + " 1.0")
        .contains(
            "meshguard_jwks_last_success_timestamp_seconds" + tags(A, A_URI) + " 1.77235920025E9")
        .contains("meshguard_jwks_fetches_total" + tags(A, A_URI) + " 4.0")
        .contains("meshguard_jwks_fetch_failures_total" + tags(A, A_URI) + " 1.0")
        .contains("meshguard_jwks_publishes_secret_keys" + tags(A, A_URI) + " 0.0")
        .contains("meshguard_jwks_keys" + tags(B, B_URI) + " 0.0")
        .contains("meshguard_jwks_up" + tags(B, B_URI) + " 0.0")
        .contains("meshguard_jwks_last_success_timestamp_seconds" + tags(B, B_URI) + " 0.0")
        .contains("meshguard_jwks_fetch_failures_total" + tags(B, B_URI) + " 5.0")
        .contains("meshguard_jwks_waiting_requests" + tags(A, A_URI) + " 0.0")
        .contains("meshguard_jwks_waiting_requests" + tags(B, B_URI) + " 7.0");
  }

  @Test
  void seriesFollowTheSourcesAsTheyComeAndGo() {
    AtomicReference<List<JwksSourceHealth>> sources =
        new AtomicReference<>(List.of(health(A, A_URI, Status.LOADING, 0, 0, 0)));
    MeshguardMetrics metrics = new MeshguardMetrics();
    metrics.trackRemoteKeys(sources::get);
    assertThat(metrics.scrape())
        .contains("meshguard_jwks_up" + tags(A, A_URI) + " 0.0")
        .doesNotContain("issuer=\"" + B + "\"");

    sources.set(
        List.of(health(A, A_URI, Status.FRESH, 2, 1, 0), health(B, B_URI, Status.STALE, 1, 9, 2)));
    assertThat(metrics.scrape())
        .contains("meshguard_jwks_up" + tags(A, A_URI) + " 1.0")
        .contains("meshguard_jwks_keys" + tags(A, A_URI) + " 2.0")
        .contains("meshguard_jwks_up" + tags(B, B_URI) + " 1.0")
        .contains("meshguard_jwks_fetches_total" + tags(B, B_URI) + " 9.0");

    // a reload dropped A: its series disappear rather than freeze at their last values
    sources.set(List.of(health(B, B_URI, Status.STALE, 1, 10, 3)));
    String text = metrics.scrape();
    assertThat(text)
        .doesNotContain("issuer=\"" + A + "\"")
        .contains("meshguard_jwks_fetches_total" + tags(B, B_URI) + " 10.0");

    // and a source that comes back gets fresh series
    sources.set(List.of(health(A, A_URI, Status.FRESH, 1, 1, 0)));
    assertThat(metrics.scrape())
        .contains("meshguard_jwks_keys" + tags(A, A_URI) + " 1.0")
        .doesNotContain("issuer=\"" + B + "\"");
  }

  @Test
  void sourcesSharingIssuerAndUriAreOneSeries() {
    MeshguardMetrics metrics = new MeshguardMetrics();
    metrics.trackRemoteKeys(
        () ->
            List.of(
                health(A, A_URI, Status.FAILED, 0, 3, 3, 2),
                health(A, A_URI, Status.FRESH, 2, 2, 0, 1)));
    String text = metrics.scrape();
    assertThat(text)
        .contains("meshguard_jwks_up" + tags(A, A_URI) + " 1.0")
        .contains("meshguard_jwks_keys" + tags(A, A_URI) + " 2.0")
        .contains("meshguard_jwks_fetches_total" + tags(A, A_URI) + " 5.0")
        .contains("meshguard_jwks_fetch_failures_total" + tags(A, A_URI) + " 3.0")
        .contains("meshguard_jwks_waiting_requests" + tags(A, A_URI) + " 3.0");
    assertThat(text.lines().filter(l -> l.startsWith("meshguard_jwks_up{"))).hasSize(1);
  }

  @Test
  void manyReloadsDoNotGrowTheMeters() {
    AtomicReference<List<JwksSourceHealth>> sources = new AtomicReference<>(List.of());
    MeshguardMetrics metrics = new MeshguardMetrics();
    metrics.trackRemoteKeys(sources::get);
    for (int i = 0; i < 50; i++) {
      String uri = "https://idp.example/jwks/" + i;
      sources.set(List.of(health(A, uri, Status.FRESH, 1, 1, 0)));
      metrics.scrape();
    }
    String text = metrics.scrape();
    assertThat(text.lines().filter(l -> l.startsWith("meshguard_jwks_"))).hasSize(7);
    assertThat(text).contains("uri=\"https://idp.example/jwks/49\"");
  }
}
