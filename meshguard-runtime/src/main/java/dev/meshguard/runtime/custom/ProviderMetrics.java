package dev.meshguard.runtime.custom;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-provider metrics of the ext_authz client, tagged `provider` (a name from the mesh config):
 * `meshguard_extauthz_client_calls_total{provider,result=allowed|denied|error}`,
 * `meshguard_extauthz_client_errors_total{provider,kind}` and
 * `meshguard_extauthz_client_call_seconds{provider}`. Recorded into a composite registry that the
 * front end's Prometheus registry joins once it exists ({@link #bind}).
 */
public final class ProviderMetrics {
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  /** Publishes into {@code target} (e.g. the `/stats/prometheus` registry). */
  public void bind(MeterRegistry target) {
    registry.add(target);
  }

  void result(String provider, String result) {
    counters
        .computeIfAbsent(
            "calls|" + provider + "|" + result,
            k ->
                Counter.builder("meshguard.extauthz.client.calls")
                    .description("calls to CUSTOM policies' ext_authz providers, by result")
                    .tag("provider", provider)
                    .tag("result", result)
                    .register(registry))
        .increment();
  }

  void error(String provider, String kind) {
    counters
        .computeIfAbsent(
            "errors|" + provider + "|" + kind,
            k ->
                Counter.builder("meshguard.extauthz.client.errors")
                    .description("ext_authz provider calls that failed, by kind")
                    .tag("provider", provider)
                    .tag("kind", kind)
                    .register(registry))
        .increment();
  }

  void latency(String provider, Duration d) {
    timers
        .computeIfAbsent(
            provider,
            p ->
                Timer.builder("meshguard.extauthz.client.call")
                    .description("time to the ext_authz provider's answer")
                    .tag("provider", p)
                    .register(registry))
        .record(d);
  }
}
