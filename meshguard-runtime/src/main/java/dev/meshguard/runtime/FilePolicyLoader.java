package dev.meshguard.runtime;

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
 * <p>Each load first takes the {@link ConfigWatcher#fingerprint} of the files it is about to read,
 * so that a watcher started after the first load compares with what was read, not with what is on
 * disk when it starts: a change written between the two would otherwise never be noticed.
 */
public final class FilePolicyLoader implements PolicyLoader {
  private final List<Path> configPaths;
  private final Path meshConfig;
  private final String rootNamespace;
  private final Workload workload;
  private final JwksSources jwksSources;
  private final boolean allowDemoKeys;
  private volatile LastRead lastRead;

  /** What the last load read: its files' fingerprint and where they trust Istio's sample key. */
  private record LastRead(String fingerprint, List<String> demoKeyUsages) {}

  /**
   * @param rootNamespace `--root-namespace`, or null to keep the mesh config's
   * @param allowDemoKeys whether Istio's public sample key may be configured (only `demo` and an
   *     `serve` without `--reject-demo-keys` say yes)
   */
  public FilePolicyLoader(
      List<Path> configPaths,
      Path meshConfig,
      String rootNamespace,
      Workload workload,
      JwksSources jwksSources,
      boolean allowDemoKeys) {
    this.configPaths = List.copyOf(configPaths);
    this.meshConfig = meshConfig;
    this.rootNamespace = rootNamespace;
    this.workload = Objects.requireNonNull(workload, "workload");
    this.jwksSources = Objects.requireNonNull(jwksSources, "jwksSources");
    this.allowDemoKeys = allowDemoKeys;
  }

  @Override
  public List<String> demoKeyUsagesOfLastLoad() {
    LastRead last = lastRead;
    return last == null ? List.of() : last.demoKeyUsages();
  }

  @Override
  public String fingerprintOfLastLoad() {
    LastRead last = lastRead;
    return last == null ? null : last.fingerprint();
  }

  @Override
  public LoadResult load() {
    String fingerprint = ConfigWatcher.fingerprint(watchedPaths());
    MeshSettings mesh;
    try {
      mesh = MeshSettingsFile.read(meshConfig, rootNamespace);
    } catch (MeshSettingsLoader.MeshConfigException e) {
      return LoadResult.rejected(List.of(), List.of(e.getMessage()));
    }
    ConfigSet config = ConfigLoader.load(configPaths);
    List<String> demoKeyUsages = DemoKeys.usages(config);
    lastRead = new LastRead(fingerprint, List.copyOf(demoKeyUsages));
    List<String> errors = new ArrayList<>();
    if (!allowDemoKeys) {
      for (String usage : demoKeyUsages) {
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
