package dev.meshguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `meshguard serve`. */
@Command(name = "serve", mixinStandardHelpOptions = true)
public final class ServeCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("meshguard serve: not built yet");
    return Main.EXIT_USAGE;
  }
}
