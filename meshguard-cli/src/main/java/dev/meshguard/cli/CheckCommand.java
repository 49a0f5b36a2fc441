package dev.meshguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `meshguard check`. */
@Command(name = "check", mixinStandardHelpOptions = true)
public final class CheckCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("meshguard check: not built yet");
    return Main.EXIT_USAGE;
  }
}
