package dev.meshguard.cli;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;

/** Loads configuration and mesh settings from the shared options and compiles a snapshot. */
final class Workloads {
  private Workloads() {}

  static MeshSettings meshSettings(WorkloadOptions options)
      throws MeshSettingsLoader.MeshConfigException {
    MeshSettings mesh =
        options.meshConfig == null
            ? MeshSettings.defaults()
            : MeshSettingsLoader.load(options.meshConfig);
    if (options.rootNamespace != null) {
      mesh = mesh.withRootNamespace(options.rootNamespace);
    }
    return mesh;
  }

  static Workload workload(WorkloadOptions options) {
    return new Workload(options.namespace, options.labelMap(), options.frontedService());
  }

  static PolicySnapshot compile(
      WorkloadOptions options, MeshSettings mesh, JwksSources jwksSources) {
    ConfigSet config = ConfigLoader.load(options.configPaths);
    return SnapshotCompiler.compile(config, mesh, workload(options), jwksSources);
  }
}
