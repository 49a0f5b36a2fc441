package dev.meshguard.cli;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import dev.meshguard.source.ConfigSource;
import dev.meshguard.source.SourcedConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `meshguard validate`: lint configuration offline. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks Istio configuration as istiod would, plus meshguard's own warnings:"
          + " files, or the cluster's objects with --kube.",
      "Prints findings as `file:doc: field: message`.",
      "Exit code: 0 clean, 1 findings, 2 unreadable."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "PATH", description = "files or directories")
  List<Path> paths = new ArrayList<>();

  @Mixin KubeOptions kube;

  @Option(
      names = "--mesh-config",
      paramLabel = "FILE",
      description = "with --kube: Istio MeshConfig subset instead of the `istio` ConfigMap")
  Path meshConfig;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      kube.checkExclusive(!paths.isEmpty(), "PATH");
    } catch (IllegalArgumentException e) {
      err.println("meshguard validate: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    if (kube.enabled) {
      return validateCluster(out, err);
    }
    for (Path p : paths) {
      if (!Files.isReadable(p)) {
        err.println("meshguard validate: " + p + ": cannot read");
        return Main.EXIT_USAGE;
      }
    }
    ConfigSet config = ConfigLoader.load(paths);
    // Compiling for a workload that selects nothing still checks every document (inline jwks,
    // rule translation), so validate reports what check and serve would refuse.
    List<Finding> findings =
        SnapshotCompiler.compile(
                config,
                MeshSettings.defaults(),
                new Workload("", Map.of()),
                new OfflineJwksSources())
            .findings();
    config.notices().forEach(err::println);
    return report(findings, out, err);
  }

  /**
   * The cluster's objects, as `serve --kube` reads them: objects with errors are listed with their
   * errors (serve skips them), the others with their warnings.
   */
  private int validateCluster(PrintWriter out, PrintWriter err) throws InterruptedException {
    WorkloadOptions options = new WorkloadOptions();
    options.meshConfig = meshConfig;
    try (ConfigSource source = KubeSources.open(kube, options, false, QuietLog.INSTANCE, err)) {
      SourcedConfig view = source.current();
      List<Finding> findings = new ArrayList<>(view.skipped());
      findings.addAll(
          SnapshotCompiler.compile(
                  view.config(), view.mesh(), new Workload("", Map.of()), new OfflineJwksSources())
              .findings());
      return report(findings, out, err);
    } catch (KubeUnavailable
        | MeshSettingsLoader.MeshConfigException
        | IllegalArgumentException e) {
      err.println("meshguard validate: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
  }

  private static int report(List<Finding> findings, PrintWriter out, PrintWriter err) {
    for (Finding f : findings) {
      out.println(f.format());
    }
    long errors = findings.stream().filter(Finding::isError).count();
    long warnings = findings.size() - errors;
    err.println(
        findings.isEmpty()
            ? "meshguard validate: no findings"
            : "meshguard validate: " + errors + " error(s), " + warnings + " warning(s)");
    out.flush();
    return findings.isEmpty() ? 0 : 1;
  }
}
