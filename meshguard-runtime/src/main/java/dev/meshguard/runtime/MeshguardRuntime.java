package dev.meshguard.runtime;

import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.jwt.JwksSource;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every long-running front end (`serve`, `extauthz`, `demo`) runs around its listeners, wired
 * once so that they cannot drift: the configuration in force ({@link LiveConfig}) with its reloads,
 * the metrics, the remote key sources kept to those in force (with their health in the admin
 * endpoints and the `meshguard_jwks_*` series, {@link RemoteKeysInForce}), the admin listener and
 * the watcher that triggers reloads.
 *
 * <p>The order is always the same: {@link #start} (configuration, metrics, key retention); the
 * front end starts its listeners on {@link #config()} and {@link #metrics()}; {@link #open} (admin
 * listener, then watching); at the end {@link #stopWatching} before the front end drains, and
 * {@link #close} after it stopped.
 */
public final class MeshguardRuntime implements Closeable {

  /**
   * What the front ends share.
   *
   * @param admin the admin listener address, or null for none
   * @param reloadPollInterval how often the configuration is re-read when no file event arrives;
   *     null disables watching
   * @param info fixed facts shown in `/config_dump`
   * @param live further facts computed at each `/config_dump`, or null
   * @param remoteKeys the remote key sources the loader takes keys from, or null when it fetches
   *     none
   * @param readinessDetail further facts for the `/healthz/ready` body, or null
   */
  public record Settings(
      InetSocketAddress admin,
      Duration reloadPollInterval,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live,
      RemoteJwksSources remoteKeys,
      Supplier<Map<String, Object>> readinessDetail) {
    public Settings {
      info = Map.copyOf(info);
    }
  }

  private final PolicyLoader loader;
  private final Settings settings;
  private final MeshguardMetrics metrics;
  private final RemoteKeysInForce keys;
  private final LiveConfig config;
  private AdminServer admin;
  private ConfigWatcher watcher;

  private MeshguardRuntime(
      PolicyLoader loader,
      Settings settings,
      MeshguardMetrics metrics,
      RemoteKeysInForce keys,
      LiveConfig config) {
    this.loader = loader;
    this.settings = settings;
    this.metrics = metrics;
    this.keys = keys;
    this.config = config;
  }

  /**
   * Puts {@code initial} (which must be valid) in force; nothing listens or watches yet.
   *
   * @param log where reloads and problems are reported
   */
  public static MeshguardRuntime start(
      PolicyLoader loader, LoadResult initial, Settings settings, PrintStream log) {
    Objects.requireNonNull(settings, "settings");
    MeshguardMetrics metrics = new MeshguardMetrics();
    RemoteKeysInForce keys = new RemoteKeysInForce(settings.remoteKeys());
    LiveConfig config = keys.liveConfig(loader, initial, metrics, log, Clock.systemUTC());
    return new MeshguardRuntime(loader, settings, metrics, keys, config);
  }

  /**
   * Key sources to keep beside those of the configuration in force, such as those of the other
   * workloads a multi-workload server compiled ({@link WorkloadSnapshots#remoteSourcesInUse()}).
   */
  public void alsoKeepKeys(Supplier<List<JwksSource>> sources) {
    keys.alsoKeep(sources);
  }

  /**
   * Once the front end listens: starts the admin listener (when one was asked for), showing {@code
   * frontEnd}'s facts before the shared ones, then watches the configuration for changes.
   *
   * @param draining whether the front end is draining (readiness then fails)
   */
  public synchronized void open(Map<String, Object> frontEnd, BooleanSupplier draining)
      throws IOException {
    if (settings.admin() != null && admin == null) {
      Map<String, Object> info = new LinkedHashMap<>(frontEnd);
      info.putAll(settings.info());
      admin =
          AdminServer.start(
              settings.admin(),
              config,
              metrics,
              draining,
              info,
              settings.live(),
              keys::health,
              settings.readinessDetail());
    }
    if (watcher == null
        && settings.reloadPollInterval() != null
        && !loader.watchedPaths().isEmpty()) {
      watcher =
          new ConfigWatcher(loader.watchedPaths(), settings.reloadPollInterval(), config::reload)
              .start(loader.fingerprintOfLastLoad());
    }
  }

  public LiveConfig config() {
    return config;
  }

  public MeshguardMetrics metrics() {
    return metrics;
  }

  /** The admin listener's address, or null when there is none. */
  public synchronized InetSocketAddress adminAddress() {
    return admin == null ? null : admin.address();
  }

  /** No reload starts from now on; the configuration in force stays. */
  public synchronized void stopWatching() {
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
  }

  /** Stops watching and closes the admin listener; call after the front end stopped. */
  @Override
  public synchronized void close() {
    stopWatching();
    if (admin != null) {
      admin.close();
      admin = null;
    }
  }
}
