package dev.meshguard.proxy;

import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.runtime.AdminServer;
import dev.meshguard.runtime.ConfigWatcher;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.LiveConfig;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.PolicyLoader;
import dev.meshguard.runtime.ProxyMetrics;
import dev.meshguard.runtime.RemoteKeysInForce;
import io.netty.handler.ssl.SslContext;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything `serve` runs, wired together: the configuration in force with its watcher, the proxy,
 * the admin listener, metrics and the access log; and the order in which they stop.
 *
 * <p>With remote key sources, their health shows in `/healthz/ready`, `/config_dump` and
 * `/stats/prometheus`, and after every reload only the sources of the configuration in force are
 * kept: those of removed rules (or of a rejected reload) stop refreshing and leave the reports.
 */
public final class Gateway implements Closeable {

  /**
   * How to run.
   *
   * @param admin the admin listener address, or null for none
   * @param accessLog `off`, `stdout` or a file path
   * @param reloadPollInterval how often the configuration is re-read when no file event arrives;
   *     null disables watching
   * @param tls the listener's TLS, or null for plain HTTP
   * @param info fixed facts shown in `/config_dump`
   * @param live further facts computed at each `/config_dump`, or null
   * @param remoteKeys the remote key sources the loader takes keys from, or null when it fetches
   *     none
   * @param readinessDetail further facts for the `/healthz/ready` body, or null
   */
  public record Settings(
      ProxyOptions proxy,
      InetSocketAddress admin,
      String accessLog,
      Duration reloadPollInterval,
      SslContext tls,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live,
      RemoteJwksSources remoteKeys,
      Supplier<Map<String, Object>> readinessDetail) {
    public Settings {
      Objects.requireNonNull(proxy, "proxy");
      info = Map.copyOf(info);
    }

    /** Without further readiness detail. */
    public Settings(
        ProxyOptions proxy,
        InetSocketAddress admin,
        String accessLog,
        Duration reloadPollInterval,
        SslContext tls,
        Map<String, Object> info,
        Supplier<Map<String, Object>> live,
        RemoteJwksSources remoteKeys) {
      this(proxy, admin, accessLog, reloadPollInterval, tls, info, live, remoteKeys, null);
    }

    /** Without remote key sources. */
    public Settings(
        ProxyOptions proxy,
        InetSocketAddress admin,
        String accessLog,
        Duration reloadPollInterval,
        SslContext tls,
        Map<String, Object> info,
        Supplier<Map<String, Object>> live) {
      this(proxy, admin, accessLog, reloadPollInterval, tls, info, live, null, null);
    }
  }

  private final ProxyMetrics metrics;
  private final LiveConfig config;
  private final AccessLog accessLog;
  private final ProxyServer proxy;
  private final AdminServer admin;
  private final ConfigWatcher watcher;

  private Gateway(
      ProxyMetrics metrics,
      LiveConfig config,
      AccessLog accessLog,
      ProxyServer proxy,
      AdminServer admin,
      ConfigWatcher watcher) {
    this.metrics = metrics;
    this.config = config;
    this.accessLog = accessLog;
    this.proxy = proxy;
    this.admin = admin;
    this.watcher = watcher;
  }

  /**
   * Starts serving {@code initial} (which must be valid) and watching for changes.
   *
   * @param stdout where `--access-log stdout` writes
   * @param log where reloads and problems are reported
   */
  public static Gateway start(
      PolicyLoader loader,
      LoadResult initial,
      Settings settings,
      Decider decider,
      OutputStream stdout,
      PrintStream log)
      throws IOException {
    ProxyMetrics metrics = new ProxyMetrics();
    RemoteKeysInForce keys = new RemoteKeysInForce(settings.remoteKeys());
    LiveConfig config = keys.liveConfig(loader, initial, metrics, log, Clock.systemUTC());
    AccessLog accessLog = AccessLog.open(settings.accessLog(), stdout, metrics);
    ProxyServer proxy = null;
    AdminServer admin = null;
    try {
      proxy =
          ProxyServer.start(
              settings.proxy(), config::current, decider, metrics, accessLog, settings.tls());
      if (settings.admin() != null) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("listen", proxy.address().toString());
        info.put("upstream", settings.proxy().upstream().toString());
        info.putAll(settings.info());
        ProxyServer p = proxy;
        admin =
            AdminServer.start(
                settings.admin(),
                config,
                metrics,
                p::draining,
                info,
                settings.live(),
                keys::health,
                settings.readinessDetail());
      }
    } catch (IOException | RuntimeException e) {
      if (proxy != null) {
        proxy.close();
      }
      accessLog.close();
      throw e;
    }
    ConfigWatcher watcher = null;
    if (settings.reloadPollInterval() != null && !loader.watchedPaths().isEmpty()) {
      watcher =
          new ConfigWatcher(loader.watchedPaths(), settings.reloadPollInterval(), config::reload)
              .start(loader.fingerprintOfLastLoad());
    }
    return new Gateway(metrics, config, accessLog, proxy, admin, watcher);
  }

  public InetSocketAddress address() {
    return proxy.address();
  }

  /** The admin listener's address, or null when there is none. */
  public InetSocketAddress adminAddress() {
    return admin == null ? null : admin.address();
  }

  public LiveConfig config() {
    return config;
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Readiness fails from now on; call before announcing the stop. */
  public void startDraining() {
    proxy.startDraining();
  }

  /**
   * Graceful stop: readiness fails, no new connections, in-flight requests get up to {@code grace}
   * to finish, then everything closes and the access log is flushed.
   *
   * @return whether every request finished within the grace period
   */
  public boolean shutdown(Duration grace) {
    if (watcher != null) {
      watcher.close();
    }
    boolean clean = proxy.shutdown(grace);
    if (admin != null) {
      admin.close();
    }
    accessLog.close();
    return clean;
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
