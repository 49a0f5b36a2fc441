package dev.meshguard.runtime;

import static java.util.Objects.requireNonNull;

import dev.meshguard.jwks.JwksSourceHealth;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Per remote key source meters, tagged `issuer` and `uri`, brought in line with the sources that
 * exist at each {@link #refresh()} (run before every scrape): a source a reload added gets meters,
 * one a reload dropped loses them, so meters never outgrow the configuration.
 *
 * <p>Two sources may share issuer and URL (rules that differ only in `timeout`, or a host reached
 * differently after a reload); their meters are one series: keys and `up` the best of them, the
 * last success the latest, fetch and failure counts summed. A counter may then go down when one of
 * them is dropped; Prometheus takes that as a counter reset.
 */
final class RemoteKeyMetrics {
  private record SourceId(String issuer, String uri) {}

  /** The latest values of one series, written by {@link #refresh()}, read by its meters. */
  private static final class Values {
    volatile double keys;
    volatile double up;
    volatile double lastSuccessSeconds;
    volatile double fetches;
    volatile double failures;
    volatile double publishesSecretKeys;
    volatile double waiting;
  }

  private record Series(Values values, List<Meter> meters) {}

  private final MeterRegistry registry;
  private final Supplier<List<JwksSourceHealth>> health;
  private final Map<SourceId, Series> series = new HashMap<>(); // guarded by this

  RemoteKeyMetrics(MeterRegistry registry, Supplier<List<JwksSourceHealth>> health) {
    this.registry = requireNonNull(registry, "registry");
    this.health = requireNonNull(health, "health");
  }

  /** Adds, updates and removes meters to match the sources that exist now. */
  synchronized void refresh() {
    Map<SourceId, Values> now = new HashMap<>();
    for (JwksSourceHealth h : health.get()) {
      Values v = now.computeIfAbsent(new SourceId(h.issuer(), h.uri()), id -> new Values());
      v.keys = Math.max(v.keys, h.keysLoaded());
      v.up = Math.max(v.up, h.hasKeys() ? 1 : 0);
      v.lastSuccessSeconds =
          Math.max(
              v.lastSuccessSeconds,
              h.lastSuccess() == null ? 0 : h.lastSuccess().toEpochMilli() / 1000.0);
      v.fetches += h.fetchCount();
      v.failures += h.failureCount();
      v.publishesSecretKeys = Math.max(v.publishesSecretKeys, h.publishesSecretKeys() ? 1 : 0);
      v.waiting += h.waiting();
    }
    for (Iterator<Map.Entry<SourceId, Series>> it = series.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<SourceId, Series> e = it.next();
      if (!now.containsKey(e.getKey())) {
        e.getValue().meters().forEach(registry::remove);
        it.remove();
      }
    }
    for (Map.Entry<SourceId, Values> e : now.entrySet()) {
      Values target = series.computeIfAbsent(e.getKey(), this::register).values();
      Values v = e.getValue();
      target.keys = v.keys;
      target.up = v.up;
      target.lastSuccessSeconds = v.lastSuccessSeconds;
      target.fetches = v.fetches;
      target.failures = v.failures;
      target.publishesSecretKeys = v.publishesSecretKeys;
      target.waiting = v.waiting;
    }
  }

  private Series register(SourceId id) {
    Values v = new Values();
    List<Meter> meters = new ArrayList<>();
    meters.add(
        gauge(id, v, "meshguard.jwks.keys", null, "keys in use (0 when none usable)", x -> x.keys));
    meters.add(
        gauge(
            id,
            v,
            "meshguard.jwks.up",
            null,
            "1 while keys are usable (fresh, or stale within the stale window), else 0",
            x -> x.up));
    meters.add(
        gauge(
            id,
            v,
            "meshguard.jwks.last.success.timestamp",
            "seconds",
            "when keys were last fetched successfully, Unix time (0 if never)",
            x -> x.lastSuccessSeconds));
    meters.add(
        gauge(
            id,
            v,
            "meshguard.jwks.publishes.secret.keys",
            null,
            "1 when the keys in use include private or symmetric key material",
            x -> x.publishesSecretKeys));
    meters.add(
        gauge(
            id,
            v,
            "meshguard.jwks.waiting.requests",
            null,
            "requests waiting now for a fetch of these keys (each at most the rule's timeout)",
            x -> x.waiting));
    meters.add(
        counter(
            id,
            v,
            "meshguard.jwks.fetches",
            "key fetches finished (successful or not)",
            x -> x.fetches));
    meters.add(
        counter(
            id, v, "meshguard.jwks.fetch.failures", "key fetches that failed", x -> x.failures));
    return new Series(v, meters);
  }

  private Meter gauge(
      SourceId id,
      Values v,
      String name,
      String unit,
      String description,
      ToDoubleFunction<Values> value) {
    return Gauge.builder(name, v, value)
        .description(description)
        .baseUnit(unit)
        .tag("issuer", id.issuer())
        .tag("uri", id.uri())
        .strongReference(true)
        .register(registry);
  }

  private Meter counter(
      SourceId id, Values v, String name, String description, ToDoubleFunction<Values> value) {
    return FunctionCounter.builder(name, v, value)
        .description(description)
        .tag("issuer", id.issuer())
        .tag("uri", id.uri())
        .register(registry);
  }
}
