package dev.meshguard.cli;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `meshguard validate`: lint configuration offline. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks Istio configuration as istiod would, plus meshguard's own warnings.",
      "Prints findings as `file:doc: field: message`.",
      "Exit code: 0 clean, 1 findings, 2 unreadable."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "PATH", description = "files or directories")
  List<Path> paths;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
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
