package dev.meshguard.cli;

import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.Finding;
import dev.meshguard.runtime.DemoKeys;
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

  /** Reads the files of {@code workload} for its workload, with remote keys from {@code jwks}. */
  static FilePolicyLoader loader(
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
  static SourcePolicyLoader loader(
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
  static LoadResult load(
      String command,
      PolicyLoader loader,
      WorkloadOptions workload,
      boolean rejectDemoKeys,
      PrintWriter err) {
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
      List<String> demo =
          loader instanceof FilePolicyLoader files
              ? files.demoKeyUsagesOfLastLoad()
              : loader instanceof SourcePolicyLoader sourced
                  ? DemoKeys.usages(sourced.source().current().config())
                  : DemoKeys.usages(ConfigLoader.load(workload.configPaths));
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
