package dev.meshguard.extauthz;

import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FrontEnd;
import dev.meshguard.runtime.LiveConfig;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.MeshguardMetrics;
import dev.meshguard.runtime.MeshguardRuntime;
import dev.meshguard.runtime.PolicyLoader;
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
 * Everything `extauthz` runs: the gRPC listener with the Authorization and health services,
 * attached to the {@link MeshguardRuntime} every front end shares (the configuration in force with
 * its watcher, the admin listener, metrics and remote key retention, as in `serve`).
 */
public final class ExtAuthzServer implements FrontEnd, Closeable {

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

    /**
     * A server on {@code listen} and nothing more: no admin listener, no remote key sources, no
     * workload chosen by the destination's identity, no claims in the answers' metadata.
     */
    public static Settings listeningOn(InetSocketAddress listen, Duration reloadPollInterval) {
      return new Settings(
          listen, null, 0, reloadPollInterval, Map.of(), null, null, null, null, List.of());
    }
  }

  private final Server server;
  private final ExecutorService calls;
  private final HealthStatusManager health;
  private final MeshguardRuntime runtime;
  private volatile boolean draining;

  private ExtAuthzServer(
      Server server, ExecutorService calls, HealthStatusManager health, MeshguardRuntime runtime) {
    this.server = server;
    this.calls = calls;
    this.health = health;
    this.runtime = runtime;
  }

  /**
   * Starts serving {@code initial} (which must be valid) and watching for changes.
   *
   * @param log where reloads and problems are reported
   */
  public static ExtAuthzServer start(
      PolicyLoader loader, LoadResult initial, Settings settings, Decider decider, PrintStream log)
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
    LiveConfig config = runtime.config();
    WorkloadSnapshots snapshots =
        new WorkloadSnapshots(config::inForce, WorkloadSnapshots.DEFAULT_MAX_WORKLOADS);
    runtime.alsoKeepKeys(snapshots::remoteSourcesInUse);
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
                      runtime.metrics(),
                      calls,
                      settings.metadataClaims()))
              .addService(health.getHealthService())
              .build()
              .start();
    } catch (IOException | RuntimeException e) {
      calls.shutdownNow();
      runtime.close();
      throw e;
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.SERVING);
    ExtAuthzServer self = new ExtAuthzServer(server, calls, health, runtime);
    try {
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("listen", server.getListenSockets().toString());
      facts.put("mode", "extauthz");
      runtime.open(facts, () -> self.draining);
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      calls.shutdownNow();
      runtime.close();
      throw e;
    }
    return self;
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
    return runtime.adminAddress();
  }

  public LiveConfig config() {
    return runtime.config();
  }

  public MeshguardMetrics metrics() {
    return runtime.metrics();
  }

  /** Readiness and gRPC health turn to not serving; calls are still answered. Idempotent. */
  @Override
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
  @Override
  public boolean shutdown(Duration grace) {
    startDraining();
    runtime.stopWatching();
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
    runtime.close();
    return clean;
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
