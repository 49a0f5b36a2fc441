package dev.meshguard.runtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwksSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The snapshot of each workload one server answers for (`extauthz` chooses the workload per
 * request). The configuration in force is compiled once per workload and cached; a reload starts a
 * new generation, so no workload decides with an older configuration than the one in force. The
 * cache is bounded: a workload evicted is compiled again when next asked for.
 */
public final class WorkloadSnapshots {
  /** Default bound: far more workloads than one ext_authz server usually protects. */
  public static final int DEFAULT_MAX_WORKLOADS = 1024;

  private final Supplier<LoadResult> inForce;
  private final int maxWorkloads;
  private volatile Generation generation;

  /** The snapshots compiled from one load, and the remote key sources they use. */
  private record Generation(
      LoadResult source, Cache<Workload, PolicySnapshot> snapshots, Set<JwksSource> keys) {}

  /**
   * @param inForce the load in force (e.g. {@link LiveConfig#inForce()}), read on every call
   * @param maxWorkloads how many workloads' snapshots to keep
   */
  public WorkloadSnapshots(Supplier<LoadResult> inForce, int maxWorkloads) {
    this.inForce = Objects.requireNonNull(inForce, "inForce");
    if (maxWorkloads < 1) {
      throw new IllegalArgumentException("maxWorkloads must be positive");
    }
    this.maxWorkloads = maxWorkloads;
  }

  /**
   * The snapshot of {@code workload}, or of the workload the configuration was loaded for when
   * null.
   *
   * @throws IllegalStateException when the configuration cannot be compiled for {@code workload}
   *     (the caller denies)
   */
  public PolicySnapshot of(Workload workload) {
    LoadResult current = inForce.get();
    if (workload == null || workload.equals(current.snapshot().workload())) {
      return current.snapshot();
    }
    Generation g = generation;
    if (g == null || g.source() != current) {
      g = newGeneration(current);
    }
    Generation forCompile = g;
    return g.snapshots().get(workload, w -> compile(forCompile, w));
  }

  /**
   * Remote key sources used by workloads compiled since the last reload, to keep beside the ones of
   * the configuration in force (their keys stay across a reload).
   */
  public List<JwksSource> remoteSourcesInUse() {
    Generation g = generation;
    if (g == null) {
      return List.of();
    }
    synchronized (g.keys()) {
      return new ArrayList<>(g.keys());
    }
  }

  private synchronized Generation newGeneration(LoadResult current) {
    Generation g = generation;
    if (g == null || g.source() != current) {
      g =
          new Generation(
              current,
              Caffeine.newBuilder().maximumSize(maxWorkloads).build(),
              Collections.newSetFromMap(new IdentityHashMap<>()));
      generation = g;
    }
    return g;
  }

  private static PolicySnapshot compile(Generation g, Workload workload) {
    WorkloadCompiler compiler = g.source().workloads();
    if (compiler == null) {
      throw new IllegalStateException(
          "this configuration source serves only workload `"
              + g.source().snapshot().workload()
              + "`");
    }
    LoadResult result = compiler.compile(workload);
    if (!result.ok()) {
      throw new IllegalStateException(
          "configuration does not compile for workload " + workload + ": " + result.errors());
    }
    if (result.remoteSources() != null) {
      synchronized (g.keys()) {
        g.keys().addAll(result.remoteSources());
      }
    }
    return result.snapshot();
  }
}
