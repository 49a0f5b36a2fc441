package dev.meshguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs `meshguard check --json` in this JVM (the same code as the jar's) to compare its decision
 * with what `serve` did; starting a JVM per request would make the matrix slow.
 */
final class InProcessCheck {
  private InProcessCheck() {}

  static JsonNode run(String... args) throws IOException {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      exit = Main.run(o, e, args);
    }
    String text = out.toString().trim();
    if (exit == Main.EXIT_USAGE || text.isEmpty()) {
      throw new AssertionError("check failed (exit " + exit + "): " + text + "\n" + err);
    }
    return new ObjectMapper().readTree(text);
  }
}
