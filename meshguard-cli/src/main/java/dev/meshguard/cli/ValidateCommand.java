package dev.meshguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `meshguard validate`. */
@Command(name = "validate", mixinStandardHelpOptions = true)
public final class ValidateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("meshguard validate: not built yet");
    return Main.EXIT_USAGE;
  }
}
