package dev.meshguard.extauthz;

import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.runtime.AdminServer;
import dev.meshguard.runtime.ConfigWatcher;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.LiveConfig;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.PolicyLoader;
import dev.meshguard.runtime.ProxyMetrics;
import dev.meshguard.runtime.RemoteKeysInForce;
import dev.meshguard.runtime.WorkloadSnapshots;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Everything `extauthz` runs: the gRPC listener with the Authorization and health services, the
 * configuration in force with its watcher (as `serve` reloads), and the optional admin listener
 * with the remote key health (as `serve` shows it, through {@link RemoteKeysInForce}).
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
   * @param live further facts computed at each `/config_dump`, or null
   * @param remoteKeys the remote key sources the loader takes keys from, or null when it fetches
   *     none: as in `serve`, their health shows in the admin endpoints and reloads keep only the
   *     sources in force
   * @param principalLabel `--workload-from-principal`: the label a destination's SPIFFE service
   *     account is taken as, or null to ignore the destination's identity (see {@link
   *     RequestWorkload})
   * @param readinessDetail further facts for the `/healthz/ready` body, or null
   */
  public record Settings(
      InetSocketAddress listen,
      InetSocketAddress admin,
      int numTrustedProxies,
      Duration reloadPollInterval,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live,
      RemoteJwksSources remoteKeys,
      String principalLabel,
      Supplier<Map<String, Object>> readinessDetail,
      List<String> metadataClaims) {
    public Settings {
      Objects.requireNonNull(listen, "listen");
      metadataClaims = List.copyOf(metadataClaims);
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
        Supplier<Map<String, Object>> live,
        RemoteJwksSources remoteKeys,
        String principalLabel) {
      this(
          listen,
          admin,
          numTrustedProxies,
          reloadPollInterval,
          info,
          live,
          remoteKeys,
          principalLabel,
          null);
    }

    /** Without claims in the OK answers' dynamic metadata. */
    public Settings(
        InetSocketAddress listen,
        InetSocketAddress admin,
        int numTrustedProxies,
        Duration reloadPollInterval,
        Map<String, Object> info,
        Supplier<Map<String, Object>> live,
        RemoteJwksSources remoteKeys,
        String principalLabel,
        Supplier<Map<String, Object>> readinessDetail) {
      this(
          listen,
          admin,
          numTrustedProxies,
          reloadPollInterval,
          info,
          live,
          remoteKeys,
          principalLabel,
          readinessDetail,
          List.of());
    }

    /** Without choosing workloads by the destination's identity. */
    public Settings(
        InetSocketAddress listen,
        InetSocketAddress admin,
        int numTrustedProxies,
        Duration reloadPollInterval,
        Map<String, Object> info,
        Supplier<Map<String, Object>> live,
        RemoteJwksSources remoteKeys) {
      this(listen, admin, numTrustedProxies, reloadPollInterval, info, live, remoteKeys, null);
    }

    /** Without remote key sources. */
    public Settings(
        InetSocketAddress listen,
        InetSocketAddress admin,
        int numTrustedProxies,
        Duration reloadPollInterval,
        Map<String, Object> info,
        Supplier<Map<String, Object>> live) {
      this(listen, admin, numTrustedProxies, reloadPollInterval, info, live, null, null, null);
    }
  }

  private final Server server;
  private final ExecutorService calls;
  private final HealthStatusManager health;
  private final LiveConfig config;
  private final ProxyMetrics metrics;
  private final AdminServer admin;
  private final ConfigWatcher watcher;
  private volatile boolean draining;

  private ExtAuthzServer(
      Server server,
      ExecutorService calls,
      HealthStatusManager health,
      LiveConfig config,
      ProxyMetrics metrics,
      AdminServer admin,
      ConfigWatcher watcher) {
    this.server = server;
    this.calls = calls;
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
    RemoteKeysInForce keys = new RemoteKeysInForce(settings.remoteKeys());
    LiveConfig config = keys.liveConfig(loader, initial, metrics, log, Clock.systemUTC());
    WorkloadSnapshots snapshots =
        new WorkloadSnapshots(config::inForce, WorkloadSnapshots.DEFAULT_MAX_WORKLOADS);
    keys.alsoKeep(snapshots::remoteSourcesInUse);
    HealthStatusManager health = new HealthStatusManager();
    ExecutorService calls = callExecutor();
    Server server;
    try {
      server =
          NettyServerBuilder.forAddress(settings.listen())
              .executor(calls)
              .addService(
                  new AuthorizationService(
                      snapshots::of,
                      new RequestWorkload(initial.snapshot().workload(), settings.principalLabel()),
                      decider,
                      settings.numTrustedProxies(),
                      metrics,
                      calls,
                      settings.metadataClaims()))
              .addService(health.getHealthService())
              .build()
              .start();
    } catch (IOException | RuntimeException e) {
      calls.shutdownNow();
      throw e;
    }
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
                keys::health,
                settings.readinessDetail());
      }
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      calls.shutdownNow();
      throw e;
    }
    ConfigWatcher watcher = null;
    if (settings.reloadPollInterval() != null && !loader.watchedPaths().isEmpty()) {
      watcher =
          new ConfigWatcher(loader.watchedPaths(), settings.reloadPollInterval(), config::reload)
              .start(loader.fingerprintOfLastLoad());
    }
    self[0] = new ExtAuthzServer(server, calls, health, config, metrics, admin, watcher);
    return self[0];
  }

  /**
   * The threads calls are decided on, a fixed number (one per core, at least two): a call never
   * holds one while it waits for keys, so more would not help and fewer would not stall.
   */
  private static ExecutorService callExecutor() {
    AtomicInteger count = new AtomicInteger();
    return Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()),
        r -> {
          Thread t = new Thread(r, "meshguard-extauthz-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
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
    calls.shutdownNow();
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
