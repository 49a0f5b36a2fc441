package dev.meshguard.cli;

import dev.meshguard.cli.validate.Severity;
import dev.meshguard.cli.validate.ValidationFinding;
import dev.meshguard.cli.validate.ValidationFindings;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `meshguard validate`: lint configuration offline, for people and for CI. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks Istio configuration as istiod would, plus meshguard's own warnings:"
          + " files, or the cluster's objects with --kube.",
      "Prints each finding as `file:line: severity CODE: field: message` (codes are listed in"
          + " docs/finding-codes.md); -o json|yaml gives file, document, line, field, severity,"
          + " code and message.",
      "Exit code: 0 nothing at or above the failure threshold (warnings alone pass, as"
          + " `istioctl analyze`), 1 findings at or above it, 2 a path cannot be read."
    },
    footer = {
      "",
      "Example:",
      "  meshguard validate policies/",
      "  meshguard validate policies/ --failure-threshold warning -o json"
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

  @Option(
      names = "--failure-threshold",
      paramLabel = "info|warning|error",
      defaultValue = "error",
      description = "the lowest severity that makes the exit code 1 (default: ${DEFAULT-VALUE})")
  Severity failureThreshold;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json|yaml",
      description = "output format (default: text)")
  OutputFormat output;

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
    List<Finding> engineFindings =
        SnapshotCompiler.compile(
                config,
                MeshSettings.defaults(),
                new Workload("", Map.of()),
                new OfflineJwksSources())
            .findings();
    return report(engineFindings, config.notices(), out, err);
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
      return report(findings, List.of(), out, err);
    } catch (KubeUnavailable
        | MeshSettingsLoader.MeshConfigException
        | IllegalArgumentException e) {
      err.println("meshguard validate: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
  }

  private int report(
      List<Finding> engineFindings, List<String> notices, PrintWriter out, PrintWriter err) {
    List<ValidationFinding> findings = new ValidationFindings().of(engineFindings, notices);
    long errors = count(findings, Severity.ERROR);
    long warnings = count(findings, Severity.WARNING);
    long infos = count(findings, Severity.INFO);
    boolean failed = findings.stream().anyMatch(f -> f.severity().compareTo(failureThreshold) >= 0);
    OutputFormat format = output == null ? OutputFormat.TEXT : output;
    if (format == OutputFormat.TEXT) {
      findings.forEach(f -> out.println(f.text()));
      err.println(
          "meshguard validate: "
              + errors
              + " error(s), "
              + warnings
              + " warning(s), "
              + infos
              + " info (failure threshold: "
              + failureThreshold.label()
              + ")");
    } else {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("findings", findings.stream().map(ValidationFinding::toMap).toList());
      report.put("errors", errors);
      report.put("warnings", warnings);
      report.put("info", infos);
      report.put("failureThreshold", failureThreshold.label());
      report.put("failed", failed);
      out.println(format.write(report));
    }
    out.flush();
    err.flush();
    return failed ? 1 : 0;
  }

  private static long count(List<ValidationFinding> findings, Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count();
  }
}
