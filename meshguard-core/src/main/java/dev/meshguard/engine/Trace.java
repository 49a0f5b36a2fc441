package dev.meshguard.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The explanation of a decision, one line per step, made only when a caller asks for it (`check
 * --explain`). Deciding never builds explanation text: every line is written under {@code if
 * (trace.on())}, so {@link #OFF} costs one branch. The same code decides with and without a trace,
 * so an explanation always explains the decision it comes with.
 */
public final class Trace {
  /** No explanation: the hot path. */
  public static final Trace OFF = new Trace(null);

  private final List<String> lines;

  private Trace(List<String> lines) {
    this.lines = lines;
  }

  /** A trace that records lines. */
  public static Trace recording() {
    return new Trace(new ArrayList<>());
  }

  /** Whether lines are recorded: build a line's text only when this is true. */
  public boolean on() {
    return lines != null;
  }

  public void add(String line) {
    if (lines != null) {
      lines.add(line);
    }
  }

  /** The lines so far (empty for {@link #OFF}). */
  public List<String> lines() {
    return lines == null ? List.of() : List.copyOf(lines);
  }
}
