package dev.meshguard.cli;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.runtime.MeshSettingsFile;
import java.util.function.UnaryOperator;

/**
 * Loads configuration and mesh settings from the shared options and compiles a snapshot, for the
 * one-shot commands (`check`, `replay`, `test`): mesh settings as `serve` computes them ({@link
 * MeshSettingsFile}), the files read and compiled as its {@link
 * dev.meshguard.runtime.FilePolicyLoader} does.
 */
final class Workloads {
  private Workloads() {}

  static MeshSettings meshSettings(WorkloadOptions options)
      throws MeshSettingsLoader.MeshConfigException {
    return MeshSettingsFile.read(options.meshConfig, options.rootNamespace);
  }

  static Workload workload(WorkloadOptions options) {
    return new Workload(options.effectiveNamespace(), options.labelMap(), options.frontedService());
  }

  static PolicySnapshot compile(
      WorkloadOptions options, MeshSettings mesh, JwksSources jwksSources) {
    return compile(options, mesh, jwksSources, UnaryOperator.identity());
  }

  /** As above, with the configuration changed by {@code edit} before compiling (replay's keys). */
  static PolicySnapshot compile(
      WorkloadOptions options,
      MeshSettings mesh,
      JwksSources jwksSources,
      UnaryOperator<ConfigSet> edit) {
    ConfigSet config = edit.apply(ConfigLoader.load(options.configPaths));
    return SnapshotCompiler.compile(config, mesh, workload(options), jwksSources);
  }
}
