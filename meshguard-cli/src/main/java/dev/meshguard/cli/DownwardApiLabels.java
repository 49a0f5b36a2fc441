package dev.meshguard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a pod's labels as the Kubernetes downward API writes them to a file (`fieldRef:
 * metadata.labels`): one `key="value"` line per label, the value quoted and escaped as Go's `%q`.
 */
final class DownwardApiLabels {
  private DownwardApiLabels() {}

  static Map<String, String> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("--labels-file: cannot read " + file + ": " + e);
    }
    return parse(text, file.toString());
  }

  static Map<String, String> parse(String text, String name) {
    Map<String, String> out = new LinkedHashMap<>();
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      int eq = trimmed.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--labels-file: " + name + ":" + lineNumber + ": not of the form key=\"value\"");
      }
      out.put(trimmed.substring(0, eq), unquote(trimmed.substring(eq + 1), name, lineNumber));
    }
    return out;
  }

  private static String unquote(String value, String name, int line) {
    if (value.length() < 2 || !value.startsWith("\"") || !value.endsWith("\"")) {
      return value;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() - 1) {
        char next = value.charAt(++i);
        switch (next) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case '\\', '"' -> sb.append(next);
          default ->
              throw new IllegalArgumentException(
                  "--labels-file: " + name + ":" + line + ": unsupported escape \\" + next);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
