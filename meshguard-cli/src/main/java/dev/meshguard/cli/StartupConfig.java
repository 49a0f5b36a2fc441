package dev.meshguard.cli;

import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.policy.Finding;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.PolicyLoader;
import dev.meshguard.runtime.SourcePolicyLoader;
import dev.meshguard.source.ConfigSource;
import java.io.PrintWriter;
import java.util.List;

/**
 * The first configuration of a long-running command (`serve`, `extauthz`), from files or a {@link
 * ConfigSource}: errors stop the start, warnings are printed, and trusting Istio's public sample
 * key is called out loudly.
 */
final class StartupConfig {
  private StartupConfig() {}

  /**
   * The configuration a long-running command starts with, and where it comes from.
   *
   * @param loader what reloads read
   * @param source the cluster's view with `--kube`, or null for files; closed with this
   * @param generation the source's generation that {@code initial} compiled (0 for files)
   * @param initial the first load, or null when the command must not start (errors printed)
   */
  record Opened(PolicyLoader loader, ConfigSource source, long generation, LoadResult initial)
      implements AutoCloseable {
    @Override
    public void close() {
      if (source != null) {
        source.close();
      }
    }
  }

  /**
   * Opens the configuration of `serve` or `extauthz` the one way both do it: from the cluster with
   * `--kube` (waiting for its first view), else from the files; then loads it once.
   */
  static Opened open(
      String command,
      KubeOptions kube,
      WorkloadOptions workload,
      RemoteJwksSources jwks,
      boolean rejectDemoKeys,
      PrintWriter err)
      throws KubeUnavailable, MeshSettingsLoader.MeshConfigException, InterruptedException {
    ConfigSource source = null;
    PolicyLoader loader;
    if (kube.enabled) {
      source = KubeSources.open(kube, workload, true, System.err, err);
      loader = loader(source, workload, jwks, rejectDemoKeys);
    } else {
      loader = loader(workload, jwks, rejectDemoKeys);
    }
    long generation = source == null ? 0 : source.current().generation();
    LoadResult initial = load(command, loader, rejectDemoKeys, err);
    return new Opened(loader, source, generation, initial);
  }

  /** Reads the files of {@code workload} for its workload, with remote keys from {@code jwks}. */
  private static FilePolicyLoader loader(
      WorkloadOptions workload, RemoteJwksSources jwks, boolean rejectDemoKeys) {
    return new FilePolicyLoader(
        workload.configPaths,
        workload.meshConfig,
        workload.rootNamespace,
        Workloads.workload(workload),
        jwks::remote,
        !rejectDemoKeys);
  }

  /**
   * Compiles the views of {@code source} for {@code workload}, with remote keys from {@code jwks}.
   */
  private static SourcePolicyLoader loader(
      ConfigSource source,
      WorkloadOptions workload,
      RemoteJwksSources jwks,
      boolean rejectDemoKeys) {
    return new SourcePolicyLoader(
        source,
        workload.rootNamespace,
        Workloads.workload(workload),
        jwks::remote,
        !rejectDemoKeys);
  }

  /** The loaded configuration, or null when the command must not start (errors printed). */
  private static LoadResult load(
      String command, PolicyLoader loader, boolean rejectDemoKeys, PrintWriter err) {
    LoadResult initial = loader.load();
    if (!initial.ok()) {
      initial.errors().forEach(err::println);
      err.println("meshguard " + command + ": configuration has errors; not starting");
      err.flush();
      return null;
    }
    for (Finding f : initial.findings()) {
      if (!f.isError()) {
        err.println(f.format());
      }
    }
    if (!rejectDemoKeys) {
      // what the load read: the configuration is not read a second time for this
      List<String> demo = loader.demoKeyUsagesOfLastLoad();
      if (!demo.isEmpty()) {
        err.println(
            "meshguard "
                + command
                + ": WARNING: the configuration trusts Istio's published sample key:");
        err.println(
            "  anyone can sign tokens it accepts; never expose this to real traffic"
                + " (--reject-demo-keys refuses it):");
        demo.forEach(d -> err.println("  " + d));
      }
    }
    return initial;
  }
}
