package dev.meshguard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** How `token decode` and `token verify` read their TOKEN argument and show times. */
final class TokenText {
  private TokenText() {}

  /** The token argument; `-` reads it from standard input. Surrounding blanks are dropped. */
  static String read(String argument) {
    if (!argument.equals("-")) {
      return argument.strip();
    }
    try {
      return new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** `2023-11-14T22:13:20Z (in 59m)` or `(3h ago)`, relative to {@code now}. */
  static String time(long epochSeconds, long now) {
    String when;
    try {
      when = Instant.ofEpochSecond(epochSeconds).toString();
    } catch (java.time.DateTimeException e) {
      return "out of range";
    }
    long delta = epochSeconds - now;
    String relative =
        delta == 0
            ? "now"
            : delta > 0
                ? "in " + span(Duration.ofSeconds(delta))
                : span(Duration.ofSeconds(-delta)) + " ago";
    return when + " (" + relative + ")";
  }

  private static String span(Duration d) {
    long days = d.toDays();
    if (days >= 2) {
      return days + "d";
    }
    long hours = d.toHours();
    if (hours >= 2) {
      return hours + "h";
    }
    long minutes = d.toMinutes();
    if (minutes >= 2) {
      return minutes + "m";
    }
    return d.toSeconds() + "s";
  }
}
