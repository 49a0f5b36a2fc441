package dev.meshguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs `meshguard check --json` in this JVM (the same code as the jar's) to compare its decision
 * with what `serve` did; starting a JVM per request would make the matrix slow.
 */
final class InProcessCheck {
  private InProcessCheck() {}

  static synchronized JsonNode run(String... args) throws IOException {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int exit;
    try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      exit = Main.run(args);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8).trim();
    if (exit == Main.EXIT_USAGE || out.isEmpty()) {
      throw new AssertionError("check failed (exit " + exit + "): " + out);
    }
    return new ObjectMapper().readTree(out);
  }
}
