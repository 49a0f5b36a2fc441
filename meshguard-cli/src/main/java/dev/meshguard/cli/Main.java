package dev.meshguard.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the executable jar. */
@Command(
    name = "meshguard",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.class,
    description = "Istio RequestAuthentication and AuthorizationPolicy, without a cluster.",
    footer = {
      "",
      "Exit codes (every command): 0 success (allowed, valid, passed, nothing flipped),"
          + " 1 a negative answer (denied, invalid, failed, flipped), 2 usage or configuration"
          + " error. `meshguard COMMAND --help` shows each command's.",
      "",
      "Example:",
      "  meshguard check --config policies/ --path /api --explain",
      "  source <(meshguard completion bash)"
    },
    subcommands = {
      CheckCommand.class,
      ValidateCommand.class,
      ServeCommand.class,
      ExtAuthzCommand.class,
      DemoCommand.class,
      TokenCommand.class,
      TestCommand.class,
      ReplayCommand.class,
      CompletionCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for usage or configuration errors, as interface.md fixes it. */
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    productionDefaults();
    System.exit(run(args));
  }

  /**
   * Netty's leak detector records a stack trace for one buffer in 128 by default: a development aid
   * that costs the proxy a few per cent of its throughput. The shipped command turns it off unless
   * the user asked for a level; tests running in-process keep it.
   */
  private static void productionDefaults() {
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
  }

  /** Runs a command line and returns the exit code (used by tests too). */
  public static int run(String... args) {
    return run(null, null, args);
  }

  /**
   * Runs a command line with its output and errors going to the given writers (null: the console),
   * and returns the exit code. Lets tests run commands in-process.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine line = new CommandLine(new Main());
    line.setCaseInsensitiveEnumValuesAllowed(true);
    if (out != null) {
      line.setOut(out);
    }
    if (err != null) {
      line.setErr(err);
    }
    line.setParameterExceptionHandler(
        (ex, argv) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr().println("meshguard: " + ex.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr())) {
            cmd.getErr()
                .println("run `" + cmd.getCommandSpec().qualifiedName() + " --help` for usage");
          }
          return EXIT_USAGE;
        });
    line.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          cmd.getErr().println("meshguard: " + ex.getMessage());
          return EXIT_USAGE;
        });
    return line.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }
}
