package dev.meshguard.runtime;

import dev.meshguard.engine.Workload;

/**
 * Compiles the configuration of one load for another workload than the one it was loaded for: the
 * same documents and mesh settings, so that every workload a server answers for decides with the
 * same configuration generation.
 */
@FunctionalInterface
public interface WorkloadCompiler {
  /**
   * The snapshot of {@code workload}, with the remote key sources it uses (never throws on bad
   * input: problems are errors in the result).
   */
  LoadResult compile(Workload workload);
}
