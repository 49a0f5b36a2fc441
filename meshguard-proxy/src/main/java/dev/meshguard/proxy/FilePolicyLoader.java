package dev.meshguard.proxy;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads `--config` paths and the optional `--mesh-config` file and compiles them for one workload:
 * what `serve` loads at start and on every change.
 *
 * @param rootNamespace `--root-namespace`, or null to keep the mesh config's
 * @param allowDemoKeys whether Istio's public sample key may be configured (only `demo` and an
 *     `serve` without `--reject-demo-keys` say yes)
 */
public record FilePolicyLoader(
    List<Path> configPaths,
    Path meshConfig,
    String rootNamespace,
    Workload workload,
    JwksSources jwksSources,
    boolean allowDemoKeys)
    implements PolicyLoader {

  public FilePolicyLoader {
    configPaths = List.copyOf(configPaths);
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(jwksSources, "jwksSources");
  }

  @Override
  public LoadResult load() {
    MeshSettings mesh;
    try {
      mesh = meshConfig == null ? MeshSettings.defaults() : MeshSettingsLoader.load(meshConfig);
    } catch (MeshSettingsLoader.MeshConfigException e) {
      return LoadResult.rejected(List.of(), List.of(e.getMessage()));
    }
    if (rootNamespace != null) {
      mesh = mesh.withRootNamespace(rootNamespace);
    }
    ConfigSet config = ConfigLoader.load(configPaths);
    List<String> errors = new ArrayList<>();
    if (!allowDemoKeys) {
      for (String usage : DemoKeys.usages(config)) {
        errors.add(usage + " (refused by --reject-demo-keys)");
      }
    }
    if (config.hasErrors()) {
      errors.addAll(errorLines(config.findings()));
      return LoadResult.rejected(config.findings(), errors);
    }
    LoadResult result = compile(config, mesh, workload, jwksSources, errors);
    if (!result.ok()) {
      return result;
    }
    MeshSettings inForce = mesh;
    return result.withWorkloads(
        other -> compile(config, inForce, other, jwksSources, new ArrayList<>()));
  }

  /** Compiles {@code config} for {@code workload}; {@code errors} are the load's errors so far. */
  private static LoadResult compile(
      ConfigSet config,
      MeshSettings mesh,
      Workload workload,
      JwksSources jwksSources,
      List<String> errors) {
    List<JwksSource> remote = new ArrayList<>();
    JwksSources recording =
        (rule, cfg) -> {
          JwksSource source = jwksSources.remote(rule, cfg);
          remote.add(source);
          return source;
        };
    PolicySnapshot snapshot = SnapshotCompiler.compile(config, mesh, workload, recording);
    if (snapshot.hasErrors()) {
      errors.addAll(errorLines(snapshot.findings()));
    }
    if (!errors.isEmpty()) {
      return LoadResult.rejected(snapshot.findings(), errors);
    }
    return LoadResult.accepted(snapshot, snapshot.findings(), remote);
  }

  private static List<String> errorLines(List<Finding> findings) {
    List<String> out = new ArrayList<>();
    for (Finding f : findings) {
      if (f.isError()) {
        out.add(f.format());
      }
    }
    return out;
  }

  @Override
  public List<Path> watchedPaths() {
    List<Path> out = new ArrayList<>(configPaths);
    if (meshConfig != null) {
      out.add(meshConfig);
    }
    return out;
  }
}
