package dev.meshguard.runtime;

import dev.meshguard.engine.authn.VerifiedTokenCache;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.jwks.JwksSourceHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The Prometheus metrics of serve, extauthz and demo (one registry per process). Tag values are
 * bounded: outcomes and JWT statuses are enums, statuses are HTTP codes, policies are the
 * configured `namespace/name` pairs (dry-run rules their RBAC names), remote key sources the
 * configured issuers and URLs (only those in use: see {@link RemoteKeyMetrics}).
 */
public final class MeshguardMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> jwtFailures = new ConcurrentHashMap<>();
  private final Map<String, Counter> upstreamFailures = new ConcurrentHashMap<>();
  private final Map<ShadowKey, Counter> shadow = new ConcurrentHashMap<>();
  private final Timer duration;
  private final Counter reloadsOk;
  private final Counter reloadsFailed;
  private final Counter accessLogDropped;
  private final List<RemoteKeyMetrics> remoteKeys = new CopyOnWriteArrayList<>();

  private record RequestKey(String outcome, int status, String policy) {}

  private record ShadowKey(String result, String policy) {}

  /** The registry `/stats/prometheus` publishes, for meters kept elsewhere. */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  public MeshguardMetrics() {
    duration =
        Timer.builder("meshguard.request.duration")
            .description("time from request headers to the end of the response")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    reloadsOk =
        Counter.builder("meshguard.config.reloads")
            .description("configuration reloads by result")
            .tag("result", "success")
            .register(registry);
    reloadsFailed =
        Counter.builder("meshguard.config.reloads")
            .description("configuration reloads by result")
            .tag("result", "error")
            .register(registry);
    accessLogDropped =
        Counter.builder("meshguard.access.log.dropped")
            .description("access log lines dropped because the writer fell behind")
            .register(registry);
    trackTokenCache(VerifiedTokenCache.shared());
  }

  /** `meshguard_jwt_cache_*`: the verified-token cache, read at each scrape. */
  private void trackTokenCache(VerifiedTokenCache cache) {
    FunctionCounter.builder("meshguard.jwt.cache.hits", cache, c -> c.stats().hits())
        .description("tokens found verified with the keys in force (no parse, no signature check)")
        .register(registry);
    FunctionCounter.builder("meshguard.jwt.cache.misses", cache, c -> c.stats().misses())
        .description("tokens whose signature had to be checked (new, or keys rotated)")
        .register(registry);
    FunctionCounter.builder("meshguard.jwt.cache.evictions", cache, c -> c.stats().evictions())
        .description("verified tokens dropped to keep the cache within its size")
        .register(registry);
    Gauge.builder("meshguard.jwt.cache.entries", cache, c -> c.stats().size())
        .description("verified tokens held")
        .register(registry);
    Gauge.builder("meshguard.jwt.cache.capacity", cache, c -> c.stats().maximumSize())
        .description("the most verified tokens held (system property meshguard.jwt.cache.size)")
        .register(registry);
  }

  /** Counts one finished request and records its duration. */
  public void request(String outcome, int status, String policy, long durationNanos) {
    RequestKey key = new RequestKey(outcome, status, policy == null ? "" : policy);
    requests
        .computeIfAbsent(
            key,
            k ->
                Counter.builder("meshguard.requests")
                    .description("requests by decision outcome, response status and policy")
                    .tag("outcome", k.outcome())
                    .tag("status", Integer.toString(k.status()))
                    .tag("policy", k.policy())
                    .register(registry))
        .increment();
    duration.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  /** Counts a token that failed verification, by JWT status (`JWT_EXPIRED`...). */
  public void jwtFailure(String reason) {
    jwtFailures
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("meshguard.jwt.failures")
                    .description("tokens that failed authentication, by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  /**
   * Counts what the dry-run policies would have decided for a request
   * (`meshguard_authz_shadow_total{result="allowed|denied",policy="ns[..]-policy[..]-rule[..]"}`,
   * Istio's RBAC shadow stats with the matched rule; policy `none` when no rule matched). Requests
   * decided before authorization, or without dry-run policies, are not counted.
   */
  public void shadow(ShadowResult result) {
    if (result == null) {
      return;
    }
    ShadowKey key =
        new ShadowKey(
            result.engineResult(),
            result.effectivePolicyId() == null ? "none" : result.effectivePolicyId());
    shadow
        .computeIfAbsent(
            key,
            k ->
                Counter.builder("meshguard.authz.shadow")
                    .description(
                        "what dry-run (istio.io/dry-run) policies would have decided, by result"
                            + " and matched rule")
                    .tag("result", k.result())
                    .tag("policy", k.policy())
                    .register(registry))
        .increment();
  }

  /** Counts an allowed request that got no upstream response. */
  public void upstreamFailure(String kind) {
    upstreamFailures
        .computeIfAbsent(
            kind,
            k ->
                Counter.builder("meshguard.upstream.failures")
                    .description("allowed requests without an upstream response, by cause")
                    .tag("kind", k)
                    .register(registry))
        .increment();
  }

  public void reload(boolean ok) {
    (ok ? reloadsOk : reloadsFailed).increment();
  }

  public void accessLogDropped() {
    accessLogDropped.increment();
  }

  /**
   * Adds per source meters for remote keys (`meshguard_jwks_*`), read from {@code health} at each
   * scrape; sources that {@code health} stops listing lose their meters.
   */
  public void trackRemoteKeys(Supplier<List<JwksSourceHealth>> health) {
    remoteKeys.add(new RemoteKeyMetrics(registry, health));
  }

  /**
   * Adds a gauge read at each scrape, for facts other parts own (`meshguard.kube.synced`: dots
   * become underscores in Prometheus).
   */
  public void gauge(String name, String description, DoubleSupplier value) {
    Gauge.builder(name, value, DoubleSupplier::getAsDouble)
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    for (RemoteKeyMetrics m : remoteKeys) {
      m.refresh();
    }
    return registry.scrape();
  }
}
