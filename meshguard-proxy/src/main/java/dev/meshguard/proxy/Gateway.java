package dev.meshguard.proxy;

import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FrontEnd;
import dev.meshguard.runtime.LiveConfig;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.MeshguardMetrics;
import dev.meshguard.runtime.MeshguardRuntime;
import dev.meshguard.runtime.PolicyLoader;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything `serve` (and `demo`) runs: the proxy and its access log, attached to the {@link
 * MeshguardRuntime} every front end shares (the configuration in force with its watcher, the admin
 * listener, metrics and remote key retention); and the order in which they stop.
 */
public final class Gateway implements FrontEnd, Closeable {

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
      ListenerTls tls,
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
        ListenerTls tls,
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
        ListenerTls tls,
        Map<String, Object> info,
        Supplier<Map<String, Object>> live) {
      this(proxy, admin, accessLog, reloadPollInterval, tls, info, live, null, null);
    }
  }

  private final MeshguardRuntime runtime;
  private final AccessLog accessLog;
  private final ProxyServer proxy;

  private Gateway(MeshguardRuntime runtime, AccessLog accessLog, ProxyServer proxy) {
    this.runtime = runtime;
    this.accessLog = accessLog;
    this.proxy = proxy;
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
    MeshguardRuntime runtime =
        MeshguardRuntime.start(
            loader,
            initial,
            new MeshguardRuntime.Settings(
                settings.admin(),
                settings.reloadPollInterval(),
                settings.info(),
                settings.live(),
                settings.remoteKeys(),
                settings.readinessDetail()),
            log);
    AccessLog accessLog = AccessLog.open(settings.accessLog(), stdout, runtime.metrics());
    ProxyServer proxy = null;
    try {
      proxy =
          ProxyServer.start(
              settings.proxy(),
              runtime.config()::current,
              decider,
              runtime.metrics(),
              accessLog,
              settings.tls() == null ? null : settings.tls().context());
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("listen", proxy.address().toString());
      facts.put("upstream", settings.proxy().upstream().toString());
      runtime.open(facts, proxy::draining);
    } catch (IOException | RuntimeException e) {
      if (proxy != null) {
        proxy.close();
      }
      runtime.close();
      accessLog.close();
      throw e;
    }
    return new Gateway(runtime, accessLog, proxy);
  }

  public InetSocketAddress address() {
    return proxy.address();
  }

  /** The admin listener's address, or null when there is none. */
  public InetSocketAddress adminAddress() {
    return runtime.adminAddress();
  }

  public LiveConfig config() {
    return runtime.config();
  }

  public MeshguardMetrics metrics() {
    return runtime.metrics();
  }

  /** Readiness fails from now on; call before announcing the stop. */
  @Override
  public void startDraining() {
    proxy.startDraining();
  }

  /**
   * Graceful stop: readiness fails, no new connections, in-flight requests get up to {@code grace}
   * to finish, then everything closes and the access log is flushed.
   *
   * @return whether every request finished within the grace period
   */
  @Override
  public boolean shutdown(Duration grace) {
    runtime.stopWatching();
    boolean clean = proxy.shutdown(grace);
    runtime.close();
    accessLog.close();
    return clean;
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
