package dev.meshguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `meshguard demo`. */
@Command(name = "demo", mixinStandardHelpOptions = true)
public final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("meshguard demo: not built yet");
    return Main.EXIT_USAGE;
  }
}
