package dev.meshguard.runtime;

import dev.meshguard.jwks.JwksSourceHealth;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.jwt.JwksSource;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The remote key sources of the configuration in force, wired the same way for every long-running
 * front end (`serve`, `extauthz`): their health for `/healthz/ready`, `/config_dump` and the
 * `meshguard_jwks_*` metrics, and after every reload only the sources of the configuration in force
 * are kept: those of removed rules (or of a rejected reload) stop refreshing and leave the reports.
 */
public final class RemoteKeysInForce {
  private final RemoteJwksSources keys;
  private volatile Supplier<List<JwksSource>> alsoInUse = List::of;

  /**
   * @param keys the remote key sources the loader takes keys from, or null when it fetches none
   */
  public RemoteKeysInForce(RemoteJwksSources keys) {
    this.keys = keys;
  }

  /**
   * The configuration in force, starting with {@code initial} (which must be valid); the metrics
   * report the health of its key sources from now on.
   */
  public LiveConfig liveConfig(
      PolicyLoader loader,
      LoadResult initial,
      MeshguardMetrics metrics,
      PrintStream log,
      Clock clock) {
    retainInForce(initial);
    LiveConfig config = new LiveConfig(loader, initial, metrics, log, clock, this::retainInForce);
    if (keys != null) {
      metrics.trackRemoteKeys(this::health);
    }
    return config;
  }

  /**
   * Sources to keep beside those of the configuration in force: those of the other workloads a
   * multi-workload server compiled ({@link WorkloadSnapshots#remoteSourcesInUse()}).
   */
  public void alsoKeep(Supplier<List<JwksSource>> sources) {
    this.alsoInUse = java.util.Objects.requireNonNull(sources, "sources");
  }

  /** The health of the sources in use, for the admin endpoints. */
  public List<JwksSourceHealth> health() {
    return keys == null ? List.of() : keys.health();
  }

  /**
   * Stops the remote sources the configuration in force does not use: those of rules a reload
   * removed, and those a rejected reload created. Requests still deciding with an older snapshot
   * keep the keys they have; only background refreshing stops.
   */
  private void retainInForce(LoadResult inForce) {
    if (keys != null && inForce.remoteSources() != null) {
      List<JwksSource> keep = new ArrayList<>(inForce.remoteSources());
      keep.addAll(alsoInUse.get());
      keys.retainOnly(keep);
    }
  }
}
