package dev.meshguard.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/** Where a short-lived command sends the progress lines of a long-running component. */
final class QuietLog {
  static final PrintStream INSTANCE = new PrintStream(OutputStream.nullOutputStream());

  private QuietLog() {}
}
