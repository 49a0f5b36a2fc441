package dev.meshguard.cli;

import dev.meshguard.policy.Finding;
import dev.meshguard.runtime.LiveConfig;
import dev.meshguard.runtime.MeshguardMetrics;
import dev.meshguard.source.ConfigSource;
import dev.meshguard.source.SourcedConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Connects a {@link ConfigSource} to a running `serve` or `extauthz`: every new view reloads the
 * configuration in force, its health goes into `/healthz/ready` (detail only: an outage keeps the
 * last snapshot serving) and `/config_dump`, and its state into metrics.
 */
final class SourceWiring {
  private SourceWiring() {}

  /** The `kubernetes` entry of `/healthz/ready` and `/config_dump`. */
  static Supplier<Map<String, Object>> health(ConfigSource source) {
    return () -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("kubernetes", source.health());
      return out;
    };
  }

  /**
   * Reloads {@code config} after each new view; catches up at once with a view that came between
   * the initial load and now.
   */
  static void follow(
      ConfigSource source, LiveConfig config, MeshguardMetrics metrics, long loaded) {
    metrics.gauge(
        "meshguard.kube.synced",
        "1 while every Kubernetes watch is up to date, 0 during an outage (the last configuration"
            + " stays in force)",
        () -> source.synced() ? 1 : 0);
    metrics.gauge(
        "meshguard.kube.objects.skipped",
        "Kubernetes objects left out of the configuration in force because of errors",
        () -> skippedObjects(source.current()));
    metrics.gauge(
        "meshguard.kube.config.generation",
        "views of the Kubernetes objects made so far",
        () -> source.current().generation());
    source.onChange(config::reload);
    if (source.current().generation() != loaded) {
      config.reload();
    }
  }

  static int skippedObjects(SourcedConfig view) {
    Set<String> objects = new HashSet<>();
    for (Finding f : view.skipped()) {
      if (f.isError()) {
        objects.add(f.file());
      }
    }
    return objects.size();
  }
}
