package dev.meshguard.runtime;

import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.policy.Finding;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The configuration in force. Requests read {@link #current()} without locks; a reload builds a new
 * snapshot off the request path and swaps it in only when it is valid, so an invalid change leaves
 * the last good configuration in force and is reported instead.
 */
public final class LiveConfig {

  /**
   * The result of one reload attempt.
   *
   * @param time when it finished
   * @param ok whether the new configuration is now in force
   * @param errors why it was rejected (empty when ok)
   */
  public record ReloadStatus(Instant time, boolean ok, List<String> errors) {
    public ReloadStatus {
      errors = List.copyOf(errors);
    }
  }

  private final PolicyLoader loader;
  private final MeshguardMetrics metrics;
  private final PrintStream log;
  private final Clock clock;
  private final Consumer<LoadResult> afterReload;
  private final AtomicReference<State> state;
  private volatile ReloadStatus lastReload;
  private volatile ReloadStatus lastError;

  /** The snapshot in force with the load it came from, swapped together. */
  private record State(PolicySnapshot snapshot, LoadResult result) {}

  /**
   * @param initial the first load, which must be {@link LoadResult#ok()}
   * @param log where reload outcomes are reported (standard error)
   */
  public LiveConfig(
      PolicyLoader loader,
      LoadResult initial,
      MeshguardMetrics metrics,
      PrintStream log,
      Clock clock) {
    this(loader, initial, metrics, log, clock, result -> {});
  }

  /**
   * @param afterReload called after every reload attempt, accepted or not, with the load in force
   *     now (the new one, or the one kept); serialized with reloads, so nothing loads meanwhile
   */
  public LiveConfig(
      PolicyLoader loader,
      LoadResult initial,
      MeshguardMetrics metrics,
      PrintStream log,
      Clock clock,
      Consumer<LoadResult> afterReload) {
    this.loader = Objects.requireNonNull(loader, "loader");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.log = Objects.requireNonNull(log, "log");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.afterReload = Objects.requireNonNull(afterReload, "afterReload");
    if (!initial.ok()) {
      throw new IllegalArgumentException("the initial configuration has errors");
    }
    this.state = new AtomicReference<>(state(initial));
  }

  private static State state(LoadResult result) {
    return new State(result.snapshot(), result);
  }

  public PolicySnapshot current() {
    return state.get().snapshot();
  }

  /** Findings of the configuration in force. */
  public List<Finding> findings() {
    return state.get().result().findings();
  }

  /** The load in force. */
  public LoadResult inForce() {
    return state.get().result();
  }

  public PolicyLoader loader() {
    return loader;
  }

  /** The last reload attempt, or null when there was none. */
  public ReloadStatus lastReload() {
    return lastReload;
  }

  /** The last rejected reload, or null when none was rejected. */
  public ReloadStatus lastError() {
    return lastError;
  }

  /** Loads the configuration again and swaps it in if valid. Returns whether it was swapped. */
  public synchronized boolean reload() {
    boolean swapped = swapIfValid();
    try {
      afterReload.accept(state.get().result());
    } catch (RuntimeException e) {
      log.println("meshguard: after reload: internal error: " + e);
    }
    return swapped;
  }

  private boolean swapIfValid() {
    LoadResult result;
    try {
      result = loader.load();
    } catch (RuntimeException e) {
      result = LoadResult.rejected(List.of(), List.of("internal error: " + e));
    }
    Instant now = clock.instant();
    if (result.ok()) {
      state.set(state(result));
      lastReload = new ReloadStatus(now, true, List.of());
      metrics.reload(true);
      log.println("meshguard: configuration reloaded");
      return true;
    }
    ReloadStatus status = new ReloadStatus(now, false, result.errors());
    lastReload = status;
    lastError = status;
    metrics.reload(false);
    StringBuilder sb =
        new StringBuilder("meshguard: reload rejected, keeping the previous configuration:");
    for (String e : result.errors()) {
      sb.append("\n  ").append(e);
    }
    log.println(sb);
    return false;
  }
}
