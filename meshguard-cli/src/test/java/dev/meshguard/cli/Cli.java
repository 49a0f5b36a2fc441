package dev.meshguard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs a meshguard command line in this JVM (the jar's code) and keeps what it printed. */
final class Cli {
  private Cli() {}

  /** Exit code and output of one run. */
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.run(o, e, args);
    }
    return new Result(code, out.toString(), err.toString());
  }
}
