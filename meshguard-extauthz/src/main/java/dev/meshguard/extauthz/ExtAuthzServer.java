package dev.meshguard.extauthz;

import dev.meshguard.proxy.AdminServer;
import dev.meshguard.proxy.ConfigWatcher;
import dev.meshguard.proxy.Decider;
import dev.meshguard.proxy.LiveConfig;
import dev.meshguard.proxy.LoadResult;
import dev.meshguard.proxy.PolicyLoader;
import dev.meshguard.proxy.ProxyMetrics;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Everything `extauthz` runs: the gRPC listener with the Authorization and health services, the
 * configuration in force with its watcher (as `serve` reloads), and the optional admin listener.
 */
public final class ExtAuthzServer implements Closeable {

  /**
   * How to run.
   *
   * @param listen the gRPC listener; port 0 picks a free port
   * @param admin the admin listener address, or null for none
   * @param numTrustedProxies `x-forwarded-for` hops to trust for `remote.ip` (0: Envoy's source)
   * @param reloadPollInterval how often the configuration is re-read when no file event arrives;
   *     null disables watching
   * @param info fixed facts shown in `/config_dump`
   * @param live facts computed at each `/config_dump` (remote key health), or null
   * @param readinessDetail further facts for the `/healthz/ready` body, or null
   */
  public record Settings(
      InetSocketAddress listen,
      InetSocketAddress admin,
      int numTrustedProxies,
      Duration reloadPollInterval,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live,
      Supplier<Map<String, Object>> readinessDetail) {
    public Settings {
      Objects.requireNonNull(listen, "listen");
      if (numTrustedProxies < 0) {
        throw new IllegalArgumentException("--num-trusted-proxies must not be negative");
      }
      info = Map.copyOf(info);
    }

    /** Without further readiness detail. */
    public Settings(
        InetSocketAddress listen,
        InetSocketAddress admin,
        int numTrustedProxies,
        Duration reloadPollInterval,
        Map<String, Object> info,
        Supplier<Map<String, Object>> live) {
      this(listen, admin, numTrustedProxies, reloadPollInterval, info, live, null);
    }
  }

  private final Server server;
  private final HealthStatusManager health;
  private final LiveConfig config;
  private final ProxyMetrics metrics;
  private final AdminServer admin;
  private final ConfigWatcher watcher;
  private volatile boolean draining;

  private ExtAuthzServer(
      Server server,
      HealthStatusManager health,
      LiveConfig config,
      ProxyMetrics metrics,
      AdminServer admin,
      ConfigWatcher watcher) {
    this.server = server;
    this.health = health;
    this.config = config;
    this.metrics = metrics;
    this.admin = admin;
    this.watcher = watcher;
  }

  /**
   * Starts serving {@code initial} (which must be valid) and watching for changes.
   *
   * @param log where reloads and problems are reported
   */
  public static ExtAuthzServer start(
      PolicyLoader loader, LoadResult initial, Settings settings, Decider decider, PrintStream log)
      throws IOException {
    ProxyMetrics metrics = new ProxyMetrics();
    LiveConfig config = new LiveConfig(loader, initial, metrics, log, Clock.systemUTC());
    HealthStatusManager health = new HealthStatusManager();
    Server server =
        NettyServerBuilder.forAddress(settings.listen())
            .addService(
                new AuthorizationService(
                    config::current, decider, settings.numTrustedProxies(), metrics))
            .addService(health.getHealthService())
            .build()
            .start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.SERVING);
    AdminServer admin = null;
    ExtAuthzServer[] self = new ExtAuthzServer[1];
    try {
      if (settings.admin() != null) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("listen", server.getListenSockets().toString());
        info.put("mode", "extauthz");
        info.putAll(settings.info());
        admin =
            AdminServer.start(
                settings.admin(),
                config,
                metrics,
                () -> self[0] != null && self[0].draining,
                info,
                settings.live(),
                List::of,
                settings.readinessDetail());
      }
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      throw e;
    }
    ConfigWatcher watcher = null;
    if (settings.reloadPollInterval() != null && !loader.watchedPaths().isEmpty()) {
      watcher =
          new ConfigWatcher(loader.watchedPaths(), settings.reloadPollInterval(), config::reload)
              .start();
    }
    self[0] = new ExtAuthzServer(server, health, config, metrics, admin, watcher);
    return self[0];
  }

  /** The bound gRPC address (with the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getListenSockets().get(0);
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

  /** Readiness and gRPC health turn to not serving; calls are still answered. Idempotent. */
  public synchronized void startDraining() {
    if (!draining) {
      draining = true;
      health.enterTerminalState();
    }
  }

  /**
   * Graceful stop: health turns NOT_SERVING, no new calls are accepted, calls in flight get up to
   * {@code grace} to finish, then everything closes.
   *
   * @return whether every call finished within the grace period
   */
  public boolean shutdown(Duration grace) {
    startDraining();
    if (watcher != null) {
      watcher.close();
    }
    server.shutdown();
    boolean clean;
    try {
      clean = server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      clean = false;
    }
    if (!clean) {
      server.shutdownNow();
    }
    if (admin != null) {
      admin.close();
    }
    return clean;
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
