package dev.meshguard.cli;

import dev.meshguard.cli.policytest.CaseResult;
import dev.meshguard.cli.policytest.FileResult;
import dev.meshguard.cli.policytest.JUnitReport;
import dev.meshguard.cli.policytest.PolicyTestFile;
import dev.meshguard.cli.policytest.PolicyTestReader;
import dev.meshguard.cli.policytest.TestFileException;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `meshguard test`: policy unit tests as data, decided by the engine `check` and `serve` use. */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = {
      "Runs policy tests: each file names the configuration under test and cases (a request and"
          + " the decision it must get), decided offline exactly as `check` decides.",
      "Prints PASS/FAIL per case (a failure shows expected and actual, and the explanation), then"
          + " `N passed, M failed`. A directory runs its *test.yaml and *test.yml files.",
      "The file format is in docs/policy-tests.md.",
      "Exit code: 0 all passed, 1 some case failed, 2 a test file is broken (the message names the"
          + " file and field)."
    },
    footer = {
      "",
      "Example:",
      "  meshguard test policies/ingress.test.yaml",
      "  meshguard test tests/ --junit target/policy-tests.xml",
      "  meshguard test tests/ --watch"
    })
public final class TestCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "test files or directories")
  List<Path> paths;

  @Option(names = "--junit", paramLabel = "FILE", description = "also write JUnit XML here")
  Path junit;

  @Option(names = "--watch", description = "run again whenever a test, policy or key file changes")
  boolean watch;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> list = Files.list(p)) {
          list.filter(TestCommand::isTestFile).sorted().forEach(files::add);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        err.println("meshguard test: " + p + ": no such file or directory");
        return Main.EXIT_USAGE;
      }
    }
    if (files.isEmpty()) {
      err.println("meshguard test: no *test.yaml files in " + paths);
      return Main.EXIT_USAGE;
    }
    Run run = runOnce(files, out, err);
    if (!watch) {
      return run.exitCode;
    }
    FileWatch watched = new FileWatch(run.inputs);
    while (true) {
      out.println("meshguard test: watching " + run.inputs.size() + " files (Ctrl-C stops)");
      out.flush();
      watched.awaitChange();
      out.println();
      out.println("meshguard test: change detected, running again");
      run = runOnce(files, out, err);
      watched = new FileWatch(run.inputs);
    }
  }

  private static boolean isTestFile(Path p) {
    String name = p.getFileName().toString();
    return Files.isRegularFile(p) && (name.endsWith("test.yaml") || name.endsWith("test.yml"));
  }

  /** One pass over the files: its exit code and the inputs to watch. */
  private record Run(int exitCode, List<Path> inputs) {}

  private Run runOnce(List<Path> files, PrintWriter out, PrintWriter err) throws IOException {
    List<FileResult> results = new ArrayList<>();
    List<Path> inputs = new ArrayList<>();
    boolean broken = false;
    try (RemoteJwksSources remoteKeys = new RemoteJwksSources(RemoteJwksOptions.defaults())) {
      for (Path file : files) {
        inputs.add(file);
        FileResult result;
        try {
          PolicyTestFile test = PolicyTestReader.read(file);
          inputs.addAll(test.inputs());
          result = PolicyTestRunner.run(test, remoteKeys);
        } catch (TestFileException e) {
          result = new FileResult(file.toString(), List.of(), e.getMessage());
        }
        results.add(result);
        if (files.size() > 1) {
          out.println("# " + file);
        }
        if (result.broken() != null) {
          broken = true;
          err.println("meshguard test: " + result.broken());
          err.flush();
        }
        for (CaseResult c : result.cases()) {
          out.println((c.passed() ? "PASS " : "FAIL ") + c.name());
          if (!c.passed()) {
            c.failureText().lines().forEach(line -> out.println("    " + line));
          }
        }
        out.flush();
      }
    }
    long passed = results.stream().mapToLong(FileResult::passed).sum();
    long failed = results.stream().mapToLong(FileResult::failed).sum();
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    if (junit != null) {
      JUnitReport.write(junit, results);
    }
    int exit = broken ? Main.EXIT_USAGE : failed > 0 ? 1 : 0;
    return new Run(exit, inputs);
  }
}
